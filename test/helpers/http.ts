/** Reads a fetch response's JSON body; tests assert its shape, so it is typed loosely. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON.
export async function json(res: Response): Promise<any> {
  return res.json();
}
