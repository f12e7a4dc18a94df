import type { FastifyRequest } from "fastify";
import { Channel, ClaimableChannel, type User } from "../contract/index.ts";
import { TooManyAttemptsError, UnauthenticatedError } from "../contract/errors.ts";
import type { Storage, StoredApiKey } from "../storage/storage.ts";
import { channelOf, type AnonymousCaller, type OpenCaller, type Principal, type RequestCaller } from "./request-caller.ts";
import { digest, parseApiKeyToken, sameDigest, verifySecret } from "./secrets.ts";

/**
 * How long a verified key is taken on trust before its row is read and its hash checked again. A key
 * revoked through this server stops at once; one revoked elsewhere (the CLI on the database, another
 * server) within this time.
 */
const KEY_CACHE_MS = 15_000;
/** Failed attempts an address may make in FAILURE_WINDOW_MS before it is refused until the window ends. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;
/** How often an open server checks whether someone added a user or a key meanwhile (then it stops being open). */
const OPEN_RECHECK_MS = 1000;

/** What an open server's callers may say they answer through (the web UI among them, which has no session there). */
const ALL_CHANNELS: ReadonlySet<string> = new Set(ClaimableChannel.options);

/** A hash no password matches, checked for names that have no user. */
const UNKNOWN_USER_HASH = `scrypt$16384$8$1$${"A".repeat(22)}$${"A".repeat(43)}`;

/** A key verified recently: the digest of its token, and its caller on each channel. */
interface CachedKey {
  digest: Buffer;
  key: StoredApiKey;
  callers: Map<Channel, Principal>;
  expires: number;
}

/** Counts failed attempts per address, in windows of FAILURE_WINDOW_MS. */
class FailureLimiter {
  readonly #failures = new Map<string, { count: number; since: number }>();

  /** Throws TooManyAttemptsError while `address` is over the limit. */
  check(address: string): void {
    const entry = this.#failures.get(address);
    if (!entry) return;
    const left = entry.since + FAILURE_WINDOW_MS - Date.now();
    if (left <= 0) this.#failures.delete(address);
    else if (entry.count >= MAX_FAILURES) throw new TooManyAttemptsError(Math.ceil(left / 1000));
  }

  fail(address: string): void {
    const entry = this.#failures.get(address);
    if (entry && entry.since + FAILURE_WINDOW_MS > Date.now()) entry.count++;
    else this.#failures.set(address, { count: 1, since: Date.now() });
    if (this.#failures.size > 100_000) this.#failures.clear(); // bounded, whoever sends
  }
}

/** The caller of each channel for a server that requires no sign-in, made once. */
const OPEN = new Map(Channel.options.map((c) => [c, Object.freeze<OpenCaller>({ kind: "open", channel: c })]));
const ANONYMOUS = new Map(Channel.options.map((c) => [c, Object.freeze<AnonymousCaller>({ kind: "anonymous", channel: c })]));

/** The caller of a key (as its user, if it has one) on a channel. */
export function principalOfKey(key: StoredApiKey, channel: Channel): Principal {
  return Object.freeze({
    kind: "principal",
    channel,
    name: key.user?.name ?? `key:${key.name}`,
    userName: key.user?.name ?? null,
    role: key.role,
    groups: key.user?.groups ?? [],
    via: "api-key",
    keyId: key.id,
  });
}

/**
 * Tells who makes each request: from its API key (`Authorization: Bearer`), else, on a server that
 * requires no sign-in, the open caller, else the anonymous one. Verifying a key costs a scrypt hash, so
 * a verified key is remembered for KEY_CACHE_MS by the SHA-256 of its token: a request with a known key
 * costs one digest and one constant-time comparison. Failed attempts are limited per address.
 */
export class Authenticator {
  readonly #storage: Storage;
  readonly #keys = new Map<string, CachedKey>();
  /** The callers of signed-in users, by name, read again after KEY_CACHE_MS. */
  readonly #sessions = new Map<string, { caller: Principal; expires: number }>();
  readonly #failures = new FailureLimiter();
  /** Whether the server runs open now: no user and no key, on a loopback address (or with --insecure-no-auth). */
  #open: boolean;
  readonly #mayBeOpen: boolean;
  #openCheckedAt = Date.now();

  constructor(storage: Storage, options: { open: boolean; mayBeOpen: boolean }) {
    this.#storage = storage;
    this.#open = options.open;
    this.#mayBeOpen = options.mayBeOpen;
  }

  /** Whether the server requires no sign-in at this moment. */
  get open(): boolean {
    return this.#open;
  }

  /** The caller of `req`: at once for a request without a key or with a key verified recently, else once verified. */
  identify(req: FastifyRequest): RequestCaller | Promise<RequestCaller> {
    const header = req.headers.authorization;
    if (header !== undefined) return this.#byKey(req, header);
    const userName = req.session?.userName;
    if (userName !== undefined) return this.#bySession(userName);
    if (!this.#open) return ANONYMOUS.get(channelOf(req))!;
    if (Date.now() - this.#openCheckedAt < OPEN_RECHECK_MS) return OPEN.get(channelOf(req, ALL_CHANNELS))!;
    return this.refresh().then(() => this.identify(req));
  }

  /** Checks again whether anyone was added (or removed): an open server closes at the first user or key. */
  async refresh(): Promise<void> {
    this.#openCheckedAt = Date.now();
    if (this.#mayBeOpen) this.#open = !(await this.#storage.people.anyone());
  }

  /** Forgets what was verified of one key (revoked), or of all keys and sessions (a user changed). */
  forget(keyId?: string): void {
    if (keyId !== undefined) return void this.#keys.delete(keyId);
    this.#keys.clear();
    this.#sessions.clear();
  }

  /**
   * Checks a user's password for the web UI's sign-in; failed attempts count against the address as
   * wrong keys do. Resolves with the user.
   */
  async signIn(name: string, password: string, address: string): Promise<User> {
    this.#failures.check(address);
    const user = await this.#storage.people.getUser(name);
    // A hash is computed even for an unknown name, so that the answer takes as long either way.
    const ok = await verifySecret(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !user.passwordHash || !ok) {
      this.#failures.fail(address);
      throw new UnauthenticatedError("The name or the password is wrong.");
    }
    this.#sessions.delete(user.name);
    const { passwordHash: _, ...rest } = user;
    return rest;
  }

  /** The caller of a session: its user as they are now (read again every KEY_CACHE_MS), or anonymous once they were removed. */
  #bySession(userName: string): RequestCaller | Promise<RequestCaller> {
    const cached = this.#sessions.get(userName);
    if (cached && cached.expires > Date.now()) return cached.caller;
    return this.#storage.people.getUser(userName).then((user) => {
      if (!user) return ANONYMOUS.get("ui")!;
      const caller: Principal = Object.freeze({
        kind: "principal",
        channel: "ui",
        name: user.name,
        userName: user.name,
        role: user.role,
        groups: user.groups,
        via: "session",
        keyId: null,
      });
      this.#sessions.set(userName, { caller, expires: Date.now() + KEY_CACHE_MS });
      return caller;
    });
  }

  #byKey(req: FastifyRequest, header: string): RequestCaller | Promise<RequestCaller> {
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    const parsed = parseApiKeyToken(token);
    const channel = channelOf(req);
    const cached = parsed && this.#keys.get(parsed.id);
    if (cached && cached.expires > Date.now() && sameDigest(cached.digest, digest(token))) {
      let caller = cached.callers.get(channel);
      if (!caller) cached.callers.set(channel, (caller = principalOfKey(cached.key, channel)));
      return caller;
    }
    const address = req.ip;
    this.#failures.check(address);
    if (!parsed) {
      this.#failures.fail(address);
      throw new UnauthenticatedError("The Authorization header does not hold a Baton API key (`Bearer baton_...`).");
    }
    return this.#verify(parsed.id, parsed.secret).then((key) => {
      if (!key) {
        this.#failures.fail(address);
        throw new UnauthenticatedError("The API key is not valid: mistyped, revoked, or of another server.");
      }
      const caller = principalOfKey(key, channel);
      this.#keys.set(key.id, { digest: digest(token), key, callers: new Map([[channel, caller]]), expires: Date.now() + KEY_CACHE_MS });
      return caller;
    });
  }

  async #verify(id: string, secret: string): Promise<StoredApiKey | undefined> {
    const key = await this.#storage.people.getActiveKey(id);
    return key && (await verifySecret(secret, key.secretHash)) ? key : undefined;
  }
}
