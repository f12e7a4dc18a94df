import { hasUnstorableText } from "../contract/index.ts";

/**
 * Free text (log lines, state messages, descriptions) is data and is kept exactly, including a NUL
 * character, which PostgreSQL's text cannot hold, and a lone surrogate, which UTF-8 (so neither
 * database) cannot encode. Such text, and text that starts with the marker itself, is stored as the
 * marker and the text as a JSON string literal, whose escapes (\u0000, \udXXX) are plain ASCII. Every
 * other text is stored as it is, so existing rows and their indexes are unchanged, on both databases.
 */
const MARK = "\u0001";

/** The column value of free text. */
export function encodeText<T extends string | null | undefined>(s: T): T {
  return (typeof s === "string" && (hasUnstorableText(s) || s.startsWith(MARK)) ? MARK + JSON.stringify(s) : s) as T;
}

/** The text a column value of `encodeText` stands for. */
export function decodeText<T extends string | null>(s: T): T {
  if (typeof s !== "string" || !s.startsWith(MARK)) return s;
  try {
    const text = JSON.parse(s.slice(MARK.length));
    return (typeof text === "string" ? text : s) as T;
  } catch {
    return s; // written before this encoding existed: kept as it was
  }
}
