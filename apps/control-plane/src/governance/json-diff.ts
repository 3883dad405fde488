export interface DiffEntry {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

/** Field-level differences between two JSON values; arrays compare as wholes (a list of destinations is one setting). */
export function diffJson(from: unknown, to: unknown, path = ''): DiffEntry[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((key) => {
      const child = path ? `${path}.${key}` : key;
      if (!(key in from)) return [{ path: child, change: 'added' as const, to: to[key] }];
      if (!(key in to)) return [{ path: child, change: 'removed' as const, from: from[key] }];
      return diffJson(from[key], to[key], child);
    });
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path, change: 'changed', from, to }];
}
