import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A reverse proxy on this machine in front of `target`: a real hop that connects from its own
 * address (127.0.9.1, which no test request uses directly). `forwardedFor` appends the address it was
 * reached from to X-Forwarded-For, as nginx's proxy_add_x_forwarded_for does; without it the proxy
 * adds no header at all and sends the upstream's own Host, as nginx's bare `proxy_pass` does.
 */
export type AccessLogLine = { at: number; method: string; path: string; cookie: boolean };

/**
 * `port`: listen there (known before the app starts, to be its APP_URL). `accessLog`: each request
 * is appended as a default access log would keep it (time, method, URL) plus whether it carried a
 * cookie — what an operator's proxy sees of every visit.
 */
export async function startReverseProxy(
  target: string,
  options: { forwardedFor: boolean; port?: number; accessLog?: AccessLogLine[] },
) {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    options.accessLog?.push({
      at: Date.now(),
      method: req.method ?? "",
      path: req.url ?? "",
      cookie: Boolean(req.headers.cookie),
    });
    const headers = options.forwardedFor
      ? {
          ...req.headers,
          "x-forwarded-for": [req.headers["x-forwarded-for"], req.socket.remoteAddress]
            .filter(Boolean)
            .join(", "),
          "x-forwarded-proto": "http",
        }
      : { ...req.headers, host: upstream.host };
    const hop = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        localAddress: "127.0.9.1",
        headers,
      },
      (answer) => {
        // Hop-by-hop headers are the upstream's, not this proxy's (RFC 9110 §7.6.1), as nginx drops
        // them: forwarding the app's "Keep-Alive: timeout=…" made clients keep idle connections to
        // this proxy longer than it does, and a request reusing one was reset.
        const { connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    hop.on("error", () => res.writeHead(502).end());
    req.pipe(hop);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
