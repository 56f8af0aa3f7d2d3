/**
 * The JSON text of `{ ...head, [key]: [...items] }` in pieces, the array's items arriving page by page: a
 * document with thousands of entries (the full run report) is written without ever being one object graph.
 * `JSON.parse` of the joined pieces equals that object.
 */
export async function* objectWithStreamedArray(head: Record<string, unknown>, key: string, pages: AsyncIterable<readonly unknown[]>): AsyncGenerator<string> {
  if (Object.hasOwn(head, key)) throw new Error(`objectWithStreamedArray: the head already has a "${key}" field`);
  const open = JSON.stringify(head);
  yield `${open.slice(0, -1)}${open === '{}' ? '' : ','}${JSON.stringify(key)}:[`;
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map((item) => JSON.stringify(item) ?? 'null').join(',');
    first = false;
  }
  yield ']}';
}
