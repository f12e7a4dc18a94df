// Type tests: `npm test` type-checks this file, so a wrong inference fails the suite.
import { test } from "node:test";
import { z } from "zod";
import { flow, pauseFlowRun, RunInput, task } from "../src/sdk/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

// Never called: only its types matter.
async function inferred() {
  const UserName = RunInput.from(z.object({ name: z.string(), age: z.number().optional() }));
  const answer = await pauseFlowRun({ waitForInput: UserName });
  expectType<Equal<typeof answer, { name: string; age?: number | undefined }>>(true);

  const withDefaults = await pauseFlowRun({ waitForInput: UserName.withInitialData({ name: "anonymous" }) });
  expectType<Equal<typeof withDefaults, { name: string; age?: number | undefined }>>(true);

  const n = await pauseFlowRun({ waitForInput: z.number() });
  expectType<Equal<typeof n, number>>(true);

  const color = await pauseFlowRun({ waitForInput: z.enum(["red", "green"]) });
  expectType<Equal<typeof color, "red" | "green">>(true);

  const nothing = await pauseFlowRun();
  expectType<Equal<typeof nothing, undefined>>(true);

  // @ts-expect-error initial data must be fields of the schema, with their types
  UserName.withInitialData({ name: 42 });

  const add = task("add", (a: number, b: number) => a + b);
  const sum = await add(1, 2);
  expectType<Equal<typeof sum, number>>(true);
  // @ts-expect-error task arguments keep their types
  await add("1", 2);

  const greet = flow({ name: "greet", parameters: z.object({ who: z.string() }) }, async ({ who }) => who.length);
  const len = await greet({ who: "Ada" });
  expectType<Equal<typeof len, number>>(true);
  // @ts-expect-error parameters are checked against the flow's schema
  await greet({ who: 1 });
}

test("answer types are inferred from the schemas (checked by tsc in npm test)", () => {
  void inferred;
});
