import { redirect } from "@remix-run/node";

/** The old address of "Anonymous signing on this device". */
export function loader() {
  return redirect("/my/anonymous-signing", 301);
}
