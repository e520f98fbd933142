import { spawn } from "node:child_process";

/**
 * Runs a command without blocking this process. Global setups run in vitest's main process, which
 * answers the workers' progress calls: a synchronous half-minute seed or build there made a worker's
 * call time out (60 s) and failed a run whose tests all passed.
 */
export function runChild(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output, stdout }));
  });
}
