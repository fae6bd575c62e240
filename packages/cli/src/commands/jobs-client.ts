import type { CapacityScope, JobView } from "@tickerplant/core";

/** The gateway's jobs API as the CLI uses it (URL from --gateway or TICKERPLANT_URL). */
export class JobsClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(`/api/v1${path}`, this.baseUrl), {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.apiKey ? { "x-api-key": this.apiKey } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const message = (json as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return json as T;
  }

  submit(body: Record<string, unknown>): Promise<JobView> {
    return this.call("POST", "/jobs", body);
  }

  job(id: string): Promise<JobView> {
    return this.call("GET", `/jobs/${encodeURIComponent(id)}`);
  }

  async jobs(state?: string): Promise<JobView[]> {
    return (await this.call<{ data: JobView[] }>("GET", `/jobs${state ? `?state=${state}` : ""}`)).data;
  }

  async capacity(): Promise<CapacityScope[]> {
    return (await this.call<{ data: CapacityScope[] }>("GET", "/capacity")).data;
  }
}

export function gatewayUrl(flag: string | undefined): string {
  return flag ?? process.env.TICKERPLANT_URL ?? "http://127.0.0.1:8080";
}
