import { type ActionFunctionArgs, json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { database } from "../db.server";

/**
 * The floor: the loader renders a list of rows read by one query — as many as make the page as big
 * as the petition page it is compared with (BARE_ROWS) — and the action inserts one row and
 * redirects, as signing does.
 */
export function loader() {
  const rows = database()
    .prepare<[number], { id: number; title: string; body: string; created_at: number }>(
      "select id, title, body, created_at from rows order by id desc limit ?",
    )
    .all(Number(process.env.BARE_ROWS ?? 50));
  return json({ rows });
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  database()
    .prepare("insert into rows (title, body, created_at) values (?, ?, ?)")
    .run(String(form.get("visibility") ?? "public"), "A row inserted by the benchmark's action.", Date.now());
  return redirect("/");
}

export default function Index() {
  const { rows } = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Rows</h1>
      <Form method="post">
        <button type="submit" name="intent" value="sign">
          Add
        </button>
      </Form>
      <ol>
        {rows.map((row) => (
          <li key={row.id}>
            <h2>{row.title}</h2>
            <p>{row.body}</p>
            <time dateTime={new Date(row.created_at).toISOString()}>
              {new Date(row.created_at).toUTCString()}
            </time>
          </li>
        ))}
      </ol>
    </main>
  );
}
