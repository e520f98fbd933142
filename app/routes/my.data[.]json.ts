import type { LoaderFunctionArgs } from "@remix-run/node";
import { myData } from "../domain/people/my-data.server";
import { requireUser } from "../web/session.server";

/** The person's own data as a file (GDPR Art. 15 and 20): a GET that changes nothing. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return new Response(JSON.stringify(myData(user.id), null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": 'attachment; filename="my-data.json"',
      "Cache-Control": "no-store",
    },
  });
}
