/**
 * turbo's framework inference (08-adoption.md ADOPT-050): a package that depends on a framework gets
 * the framework's public environment wildcards hashed and passed. A copy of turbo 2's table; the first
 * framework that matches wins, as in turbo.
 *
 * @module
 */

/** One framework: the dependencies that reveal it and the wildcards it reads. */
interface Framework {
  readonly dependencies: readonly string[];
  readonly wildcards: readonly string[];
}

const FRAMEWORKS: readonly Framework[] = [
  { dependencies: ["blitz"], wildcards: ["NEXT_PUBLIC_*"] },
  { dependencies: ["next"], wildcards: ["NEXT_PUBLIC_*"] },
  { dependencies: ["gatsby"], wildcards: ["GATSBY_*"] },
  { dependencies: ["astro"], wildcards: ["PUBLIC_*"] },
  { dependencies: ["solid-start"], wildcards: ["VITE_*"] },
  { dependencies: ["@vue/cli-service"], wildcards: ["VUE_APP_*"] },
  { dependencies: ["@sveltejs/kit"], wildcards: ["VITE_*", "PUBLIC_*"] },
  { dependencies: ["react-scripts", "react-dev-utils"], wildcards: ["REACT_APP_*"] },
  { dependencies: ["nitropack"], wildcards: ["NITRO_*"] },
  { dependencies: ["nuxt", "nuxt-edge", "nuxt3"], wildcards: ["NUXT_*", "NITRO_*"] },
  { dependencies: ["@redwoodjs/core"], wildcards: ["REDWOOD_ENV_*"] },
  { dependencies: ["expo"], wildcards: ["EXPO_PUBLIC_*"] },
  { dependencies: ["vite"], wildcards: ["VITE_*"] },
  { dependencies: ["@sanity/cli"], wildcards: ["SANITY_STUDIO_*"] },
];

/**
 * The wildcards turbo infers for a package with these dependency names; empty when none matches.
 *
 * @example
 * ```ts
 * inferredWildcards(["next", "react"]); // ["NEXT_PUBLIC_*"]
 * inferredWildcards(["lodash"]); // []
 * ```
 */
export function inferredWildcards(dependencyNames: readonly string[]): readonly string[] {
  const names = new Set(dependencyNames);
  const framework = FRAMEWORKS.find((candidate) => candidate.dependencies.some((name) => names.has(name)));
  return framework?.wildcards ?? [];
}
