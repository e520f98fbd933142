import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/**
 * Brotli (quality 11) and gzip (level 9) copies of every compressible asset of the build, beside it
 * (`x.js.br`, `x.js.gz`), so serving them costs no CPU (ADR 27). Files under 1 KiB are left alone, and
 * so is a copy that would not be smaller. Returns the bytes before and after (brotli), for the log.
 */
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|txt|html|map)$/;

export function precompressAssets(dir: string): { files: number; bytes: number; brotliBytes: number } {
  let files = 0;
  let bytes = 0;
  let brotliBytes = 0;
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      if (!COMPRESSIBLE.test(name)) continue;
      const content = readFileSync(file);
      if (content.length < 1024) continue;
      const br = brotliCompressSync(content, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      });
      const gz = gzipSync(content, { level: 9 });
      if (br.length < content.length) writeFileSync(`${file}.br`, br);
      if (gz.length < content.length) writeFileSync(`${file}.gz`, gz);
      files++;
      bytes += content.length;
      brotliBytes += Math.min(br.length, content.length);
    }
  };
  walk(dir);
  return { files, bytes, brotliBytes };
}
