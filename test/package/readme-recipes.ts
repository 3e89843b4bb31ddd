export interface Recipe {
  /** Where the recipe's file goes in the consumer project, as the README's marker names it. */
  readonly file: string;
  readonly code: string;
}

const MARKER = /<!-- recipe: ([^\s]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g;

/**
 * The files of the README's "Use it in your own app" recipes: each fenced block right after a
 * `<!-- recipe: path -->` comment. The consumer test writes them out unchanged, so the README is
 * what is tested.
 */
export function readmeRecipes(readme: string): Recipe[] {
  const recipes = [...readme.matchAll(MARKER)].map(([, file, code]) => ({ file: file!, code: `${code!}\n` }));
  if (recipes.length === 0) throw new Error('README.md has no <!-- recipe: … --> blocks');
  return recipes;
}
