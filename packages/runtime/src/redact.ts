/**
 * Secrets kept out of logs and of `GET /api/v1/config`: values under a secret-sounding name,
 * credentials in URLs (`scheme://user:pass@host`) and secret query parameters (`?api_key=...`).
 */

export const REDACTED = "[redacted]";

const SECRET_NAME =
  /password|passwd|passphrase|(^|_)pass$|secret|token|api[_-]?keys?|apikey|credential|private[_-]?key|authorization|cookie|signature/i;
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi;
const SECRET_QUERY =
  /((?:^|[?&\s;,"'])(?:api[_-]?key|apikey|key|token|secret|password|signature)=)[^&\s"'#]*/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A string with URL credentials and secret query parameters replaced. */
export function redactString(s: string): string {
  if (!s.includes("://") && !s.includes("=")) return s;
  return s.replace(URL_USERINFO, `$1${REDACTED}@`).replace(SECRET_QUERY, `$1${REDACTED}`);
}

/**
 * A copy of `value` with every secret replaced: fields whose name looks secret (any value, also
 * inside arrays) and credentials inside strings. Walks plain objects, arrays and errors.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    if ("code" in value) out.code = (value as { code: unknown }).code;
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactField(k, v, depth + 1);
  return out;
}

/**
 * One named value: under a secret-sounding name, a string (or each string of a list, or a whole
 * object) is replaced; numbers and booleans (`API_KEY_REQUIRED: true`) are no secrets and stay.
 */
export function redactField(name: string, value: unknown, depth = 0): unknown {
  if (!isSecretName(name) || value === undefined || value === null || value === "")
    return redact(value, depth);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(() => REDACTED);
  return REDACTED;
}
