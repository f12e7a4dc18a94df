import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt's cost: N = 2^14, r = 8, p = 1 (about 16 MiB and tens of milliseconds a hash), as OWASP advises at least. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scryptAsync(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { N: n, r, p, maxmem: 128 * n * r * 2 }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** A password's or a secret's slow hash, with its parameters and salt: `scrypt$N$r$p$salt$hash`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/** Whether `secret` is the one `stored` is the hash of, compared in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split("$");
  if (kind !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(secret, Buffer.from(salt, "base64url"), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast digest, for comparing a presented token with one verified before (the cache of verified keys). */
export function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Whether two digests are equal, in constant time. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** API keys look like `baton_<16 hex id>_<43 base64url secret>`: the id finds the row, the secret proves it. */
const TOKEN = /^baton_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new API key's id, secret, and the token that holds both. */
export function newApiKeyToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, secret, token: `baton_${id}_${secret}` };
}

/** The id and secret of a token, or undefined when it is not shaped like one. */
export function parseApiKeyToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}
