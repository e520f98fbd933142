import qrcode from "qrcode-generator";

/**
 * A QR code drawn here, as SVG, from `text` (nothing is sent anywhere to make it): one path of
 * dark modules with a four-module quiet zone.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const code = qrcode(0, "M");
  code.addData(text, "Alphanumeric");
  code.make();
  const size = code.getModuleCount();
  let path = "";
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (code.isDark(row, col)) path += `M${col + 4} ${row + 4}h1v1h-1z`;
  }
  const full = size + 8;
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${full} ${full}`}
      width={full * 5}
      height={full * 5}
      shapeRendering="crispEdges"
    >
      <rect width={full} height={full} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
