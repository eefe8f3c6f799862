/** `archspec init [dir]`. */
export async function initCommand(_dir: string, _opts: Record<string, string | boolean | undefined>): Promise<number> {
  return 1;
}
