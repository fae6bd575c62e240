/** The only reader of the environment in the CLI: where the gateway is and which key to send. */
export interface CliEnv {
  gatewayUrl: string;
  apiKey: string | undefined;
  /** Colours and in-place redraws: stdout is a terminal and NO_COLOR is unset. */
  tty: boolean;
}

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

export function readCliEnv(env: Record<string, string | undefined>, stdoutIsTty: boolean): CliEnv {
  return {
    gatewayUrl: env.TICKERPLANT_URL || DEFAULT_GATEWAY_URL,
    apiKey: env.TICKERPLANT_API_KEY || undefined,
    tty: stdoutIsTty && !env.NO_COLOR && env.TERM !== "dumb",
  };
}
