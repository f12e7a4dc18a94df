const ADJECTIVES = [
  "amber",
  "brisk",
  "calm",
  "daring",
  "eager",
  "fair",
  "gentle",
  "hardy",
  "keen",
  "lucid",
  "merry",
  "noble",
  "proud",
  "quiet",
  "rapid",
  "steady",
  "tidy",
  "vivid",
  "witty",
  "zesty",
];
const NOUNS = [
  "otter",
  "falcon",
  "badger",
  "heron",
  "lynx",
  "marten",
  "osprey",
  "panda",
  "quail",
  "raven",
  "stoat",
  "tapir",
  "walrus",
  "yak",
  "zebra",
  "bison",
  "crane",
  "dingo",
  "egret",
  "gecko",
];

/** A readable default run name such as "steady-heron-4821", for a run created without one. */
export function generateRunName(): string {
  const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(1000 + Math.random() * 9000)}`;
}
