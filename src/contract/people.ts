import { z } from "zod";
import { identifier } from "./text.ts";

/**
 * What a person or a key may do, each role all that the one before may: viewers read everything;
 * responders also answer the pauses they are among the respondents of; operators also start, cancel and
 * set the state of runs, run flows (report tasks, logs, pauses) and serve deployments; admins also manage
 * users and API keys and read the audit log.
 */
export const Role = z.enum(["viewer", "responder", "operator", "admin"]);
export type Role = z.infer<typeof Role>;

/** User names: what goes in a pause's `respondents`, so no spaces and no `group:` prefix. */
export const UserName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "use letters, digits and . _ @ -, starting with a letter or digit");

/** Group names, as in `group:finance`. */
export const GroupName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits and . _ -, starting with a letter or digit");

/** A person who may sign in to the web UI and own API keys. No password, not even hashed, ever leaves the server. */
export const User = z.object({
  id: z.string(),
  name: UserName,
  role: Role,
  groups: z.array(GroupName),
  email: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type User = z.infer<typeof User>;

/** Passwords: long enough to resist guessing, short enough to bound the hashing. */
export const Password = z.string().min(8, "use at least 8 characters").max(1000);

/** Body of `POST /api/users`. */
export const CreateUserBody = z.object({
  name: UserName,
  role: Role,
  groups: z.array(GroupName).max(100).default([]),
  email: z.email().max(200).optional(),
  password: Password.optional(),
});
export type CreateUserBody = z.input<typeof CreateUserBody>;

/** Body of `POST /api/users/{name}/password`. */
export const SetPasswordBody = z.object({ password: Password });

/** An API key as listed: never its secret, which is shown once, when it is made. */
export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The user the key acts as (their name and groups), or null for a key of its own (a serving process). */
  userName: z.string().nullable(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** Body of `POST /api/api-keys`. */
export const CreateApiKeyBody = z.object({
  name: identifier(z.string().min(1).max(100)),
  role: Role,
  userName: UserName.optional(),
});
export type CreateApiKeyBody = z.input<typeof CreateApiKeyBody>;

/** Answer of `POST /api/api-keys`: the key, and its secret token, shown this once. */
export const CreatedApiKey = z.object({ apiKey: ApiKey, token: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

/** Answer of `GET /api/me`: who the server takes the caller for. */
export const Me = z.object({
  /** `open`: the server requires no sign-in (a local server with no users); `anonymous`: it does, and none was given. */
  kind: z.enum(["open", "anonymous", "user", "api-key"]),
  name: z.string().nullable(),
  role: Role.nullable(),
  groups: z.array(z.string()),
});
export type Me = z.infer<typeof Me>;
