// What JavaScript finishes of a compiled answer once its JSON is parsed: the few fields whose
// meaning lives in a JavaScript function (the custom-field accessors), applied at their places in
// the answer by walking only the branches that hold one.

/** Fixes at one place of the answer (an object, or each object of a list). */
export interface Post {
  readonly fixes: ReadonlyArray<readonly [key: string, fix: (value: unknown) => unknown]>;
  readonly nested: ReadonlyArray<readonly [key: string, list: boolean, post: Post]>;
}

/** Builds a {@link Post} while compiling; places without a fix below them are left out. */
export class PostBuilder {
  private readonly fixes: Array<readonly [string, (value: unknown) => unknown]> = [];
  private readonly children: Array<readonly [string, boolean, PostBuilder]> = [];

  /** The place under `key` (a list of objects when `list`). */
  child(key: string, list: boolean): PostBuilder {
    const child = new PostBuilder();
    this.children.push([key, list, child]);
    return child;
  }

  fix(key: string, fix: (value: unknown) => unknown): void {
    this.fixes.push([key, fix]);
  }

  build(): Post | undefined {
    const nested = this.children.flatMap(([key, list, child]) => {
      const post = child.build();
      return post ? [[key, list, post] as const] : [];
    });
    return this.fixes.length || nested.length ? { fixes: this.fixes, nested } : undefined;
  }
}

/** Applies `post` to `value` (an object, or null) in place. */
export function applyPost(post: Post, value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  for (const [key, fix] of post.fixes) object[key] = fix(object[key]);
  for (const [key, list, child] of post.nested) {
    const inner = object[key];
    if (list && Array.isArray(inner)) for (const item of inner) applyPost(child, item);
    else if (!list) applyPost(child, inner);
  }
}
