// A platform's day written against the types generated from the schema: if the schema stops
// describing what an integration needs (a field, a parameter, a header), this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths, webhooks } from "./generated/portal";

type Fine = components["schemas"]["FineOut"];
type Problem = components["schemas"]["Problem"];
type BlockProposed =
  webhooks["block.proposed"]["post"]["requestBody"]["content"]["application/json"];

export async function day(baseUrl: string, key: string): Promise<string[]> {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });
  const seen: string[] = [];

  let cursor: string | null = null;
  do {
    const query: { page_size: number; cursor?: string } = { page_size: 50 };
    if (cursor !== null) query.cursor = cursor;
    const { data, error } = await api.GET("/api/v1/orders/", { params: { query } });
    if (error) throw new Error(error.detail);
    for (const order of data.results) {
      seen.push(order.reference);
      if (order.status === "issued") {
        await api.POST("/api/v1/orders/{reference}/acknowledge/", {
          params: { path: { reference: order.reference }, header: { "Idempotency-Key": `ack-${order.reference}` } },
        });
      }
    }
    cursor = data.next_cursor;
  } while (cursor !== null);

  const fines = await api.GET("/api/v1/fines/", { params: { query: { status: "assessed" } } });
  const unpaid: Fine[] = fines.data?.results ?? [];
  for (const fine of unpaid) {
    const paid = await api.POST("/api/v1/fines/{fine_id}/payment/", {
      params: { path: { fine_id: fine.id }, header: { "Idempotency-Key": `pay-${fine.id}` } },
      body: { payment_reference: `TRX-${fine.number}` },
    });
    const problem: Problem | undefined = paid.error;
    if (problem?.status === 409) seen.push(problem.current_state ?? "");
    seen.push(`${fine.amount} ${fine.currency}`);
  }

  const change = await api.POST("/api/v1/platform/changes/", {
    body: { description: "Our data moved.", record: { data_location: "Batam", domains: ["baru.example"] } },
  });
  if (change.data) seen.push(change.data.status);
  return seen;
}

export function onBlockProposed(event: BlockProposed): string {
  return `${event.data.block} (${event.data.cause}) proposed at ${event.data.proposed_at}`;
}
