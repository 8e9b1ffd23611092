// Figures and samples the code determines, kept in the docs between markers that `npm run docs`
// rewrites: inline, `<!-- figure:NAME -->VALUE<!-- /figure -->`; as a block of its own lines,
// `<!-- generated:NAME -->`, the content, `<!-- /generated -->`. The markers do not show when the
// page is read as rendered Markdown.

const INLINE = /<!-- figure:([a-zA-Z0-9.-]+) -->(.*?)<!-- \/figure -->/g;
const BLOCK = /<!-- generated:([a-zA-Z0-9.-]+) -->\n([\s\S]*?)<!-- \/generated -->/g;

/** The names a page's markers ask for, in order. */
export function regionNames(page: string): string[] {
  return [...page.matchAll(INLINE), ...page.matchAll(BLOCK)].map((m) => m[1]);
}

/** `page` with every marked region holding its current value; an unknown name is an error naming the page. */
export function fillRegions(page: string, values: Readonly<Record<string, string>>, where: string): string {
  const value = (name: string) => {
    const found = values[name];
    if (found === undefined) {
      throw new Error(
        `${where}: no figure or sample named ${name} (known: ${Object.keys(values).sort().join(", ")})`,
      );
    }
    return found;
  };
  return page
    .replace(INLINE, (_, name: string) => `<!-- figure:${name} -->${value(name)}<!-- /figure -->`)
    .replace(
      BLOCK,
      // Blank lines around the content, as Prettier sets them.
      (_, name: string) => `<!-- generated:${name} -->\n\n${value(name).trim()}\n\n<!-- /generated -->`,
    );
}

/** What a page's block region holds now, trimmed, or undefined when the page has no such region. */
export function regionContent(page: string, name: string): string | undefined {
  const found = [...page.matchAll(BLOCK)].find((m) => m[1] === name);
  return found?.[2].trim();
}
