import type { NextFunction, Request, Response } from "express";

/**
 * An action refused before it read its body (a 403 from requirePermission, say) leaves the rest of
 * the body unread on a keep-alive connection, and the client's next request on that connection is
 * reset. Once the response is sent, the remainder is read and dropped (Remix's body stream is done
 * with by then).
 */
export function drainUnreadBodies(req: Request, res: Response, next: NextFunction): void {
  res.on("finish", () => {
    if (req.complete) return;
    req.removeAllListeners("data");
    req.resume();
  });
  next();
}
