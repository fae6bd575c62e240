import { createHash, timingSafeEqual } from "node:crypto";

/** Roles, weakest first: each one can do what the ones before it can. */
export const ROLES = ["read", "write", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A configured API key: `id` names it in metrics and logs; `secret` is what clients send. */
export interface ApiKey {
  id: string;
  role: Role;
  secret: string;
}

/** What a request's key says about its sender. */
export type KeyIdentity = Pick<ApiKey, "id" | "role">;

export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A problem in API_KEYS, reported without the secret. */
export class ApiKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiKeyConfigError";
  }
}

/**
 * Parses `API_KEYS` entries `<id>:<role>:<secret>` and adds each ADMIN_API_KEYS secret as an
 * `admin` key (ids `admin-1`, `admin-2`, ...). Duplicate ids or secrets are refused.
 */
export function parseApiKeys(entries: readonly string[], adminSecrets: readonly string[] = []): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const first = entry.indexOf(":");
    const second = first < 0 ? -1 : entry.indexOf(":", first + 1);
    const id = entry.slice(0, first);
    const role = entry.slice(first + 1, second);
    const secret = entry.slice(second + 1);
    if (first <= 0 || second < 0 || secret.length === 0)
      throw new ApiKeyConfigError(`API_KEYS entry ${i + 1} is not <id>:<role>:<secret>`);
    if (!(ROLES as readonly string[]).includes(role))
      throw new ApiKeyConfigError(`API_KEYS entry "${id}": role must be one of ${ROLES.join(", ")}`);
    if (secret.length < 16)
      throw new ApiKeyConfigError(`API_KEYS entry "${id}": the secret must be at least 16 characters`);
    keys.push({ id, role: role as Role, secret });
  }
  for (const [i, secret] of adminSecrets.entries())
    keys.push({ id: `admin-${i + 1}`, role: "admin", secret });
  const ids = new Set<string>();
  const secrets = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new ApiKeyConfigError(`API key id "${k.id}" is used twice`);
    if (secrets.has(k.secret)) throw new ApiKeyConfigError(`API key "${k.id}" repeats another key's secret`);
    ids.add(k.id);
    secrets.add(k.secret);
  }
  return keys;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * The configured keys. A lookup compares the SHA-256 of the given key with every key's in constant
 * time, so neither a key's content nor its length shows in the timing.
 */
export class ApiKeyRing {
  private readonly entries: Array<ApiKey & { hash: Buffer }>;

  constructor(keys: readonly ApiKey[]) {
    this.entries = keys.map((k) => ({ ...k, hash: digest(k.secret) }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** True when some key has at least this role. */
  hasRole(role: Role): boolean {
    return this.entries.some((k) => roleAtLeast(k.role, role));
  }

  /** The key (id and role, never the secret) whose secret is `given`. */
  find(given: string): KeyIdentity | undefined {
    const g = digest(given);
    let found: KeyIdentity | undefined;
    for (const k of this.entries) {
      if (timingSafeEqual(k.hash, g) && !found) found = { id: k.id, role: k.role };
    }
    return found;
  }
}
