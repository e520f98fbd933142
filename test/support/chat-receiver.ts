import { createServer, type IncomingMessage } from "node:http";
import { freePort } from "./app-server";

export type ReceivedPost = { path: string; contentType: string; body: unknown };

/**
 * A local HTTP receiver standing in for Slack's and Teams' webhooks, on a free loopback port: it keeps
 * every JSON POST by path and answers 200, or the statuses queued with `failNext(path, …statuses)`.
 * `url(path)` is a webhook address for a channel.
 */
export async function startChatReceiver() {
  const posts: ReceivedPost[] = [];
  const failures = new Map<string, number[]>();
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const server = createServer(async (request, response) => {
    const path = request.url ?? "/";
    const text = await read(request);
    posts.push({ path, contentType: request.headers["content-type"] ?? "", body: JSON.parse(text) });
    const status = failures.get(path)?.shift() ?? 200;
    response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "error");
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    posts,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    postsTo: (path: string) => posts.filter((post) => post.path === path),
    failNext: (path: string, ...statuses: number[]) => failures.set(path, statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
