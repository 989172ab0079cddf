export interface Product {
  url: string;
  /** Bound ports per transport, e.g. `{ mqtt: { mqtt: 40123, mqtts: 40124 } }`. */
  ports: Record<string, Record<string, number>>;
  dataDir: string;
  databaseUrl?: string;
  pid: number;
  start(): Promise<Product>;
  rssMb(): number;
  cpuSeconds(mainThread?: boolean): number;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stderr: string }>;
  stop(): Promise<void>;
}

export interface RestResult {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

export interface RestClient {
  request(method: string, path: string, body?: unknown): Promise<RestResult>;
  createDevice(name: string, accessToken: string): Promise<any>;
}

export function startProduct(extraEnv?: Record<string, string>): Promise<Product>;
export function restClient(baseUrl: string, credentials?: { username: string; password: string }): Promise<RestClient>;
