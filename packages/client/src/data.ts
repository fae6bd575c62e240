/** Routes answer `{"data": …}`; this reads the payload whether or not it is wrapped. */
export function dataOf<T>(body: unknown): T {
  if (body !== null && typeof body === "object" && "data" in body) return (body as { data: T }).data;
  return body as T;
}
