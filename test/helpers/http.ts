/** Parses a JSON response body for assertions (its shape is what the test checks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonBody(res: { json(): Promise<unknown> }): Promise<any> {
  return res.json();
}
