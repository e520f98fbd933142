import http from "node:http";

/**
 * Connections pinned to each worker of a server with several: a keep-alive connection stays with the
 * worker node:cluster handed it to, and `/healthz` says which one that is. So a test can sign through
 * worker 1 and read through worker 2.
 */
export type WorkerClient = {
  worker: number;
  request(
    path: string,
    options?: {
      method?: "GET" | "POST";
      form?: Record<string, string>;
      json?: unknown;
      cookie?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
  close(): void;
};

function send(
  agent: http.Agent,
  port: number,
  path: string,
  options: {
    method?: "GET" | "POST";
    form?: Record<string, string>;
    json?: unknown;
    cookie?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const body =
    options.json !== undefined
      ? JSON.stringify(options.json)
      : options.form
        ? new URLSearchParams(options.form).toString()
        : undefined;
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port,
          path,
          agent,
          method: options.method ?? (body === undefined ? "GET" : "POST"),
          headers: {
            ...(body === undefined
              ? {}
              : {
                  "Content-Type":
                    options.json !== undefined ? "application/json" : "application/x-www-form-urlencoded",
                  "Content-Length": Buffer.byteLength(body),
                }),
            ...(options.cookie ? { Cookie: options.cookie } : {}),
            ...options.headers,
          },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => {
            text += chunk;
          });
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    },
  );
}

/** One pinned client per worker (`workers` of them), found by opening connections until each answered. */
export async function clientsPerWorker(baseUrl: string, workers: number): Promise<Map<number, WorkerClient>> {
  const port = Number(new URL(baseUrl).port);
  const found = new Map<number, WorkerClient>();
  for (let attempt = 0; attempt < 40 && found.size < workers; attempt++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const health = await send(agent, port, "/healthz");
    const worker = (JSON.parse(health.body) as { worker: number }).worker;
    if (found.has(worker)) {
      agent.destroy();
      continue;
    }
    found.set(worker, {
      worker,
      request: (path, options) => send(agent, port, path, options),
      close: () => agent.destroy(),
    });
  }
  if (found.size < workers) throw new Error(`reached ${found.size} of ${workers} workers`);
  return found;
}
