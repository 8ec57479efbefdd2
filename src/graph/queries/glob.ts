// Filename patterns → SQL patterns, always passed as parameters.
// A pattern with * ? or [ is a shell glob: matched against the whole path
// when it has a '/', else against the file name. Anything else is a
// case-insensitive substring of the path (ILIKE, trigram-indexed).

export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Escapes LIKE wildcards (\ is the default LIKE escape character). */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function substringLike(s: string): string {
  return `%${likeEscape(s)}%`;
}

const REGEX_SPECIAL = /[.^$|()[\]{}*+?\\]/;

/** A POSIX (PostgreSQL ~) regular expression matching what the glob matches. */
export function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*' && glob[i + 2] === '/') {
        out += '(.*/)?';
        i += 2;
      } else if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      body = body.replace(/[\\\]^[]/g, (x) => `\\${x}`);
      out += `[${neg ? '^' : ''}${body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      const n = glob[++i]!;
      out += REGEX_SPECIAL.test(n) ? `\\${n}` : n;
    } else out += REGEX_SPECIAL.test(c) ? `\\${c}` : c;
  }
  return glob.includes('/') ? `^${out}$` : `(^|/)${out}$`;
}
