// Linux file names are bytes, not text. Kiseki carries them as JS strings in
// which every byte that is not part of valid UTF-8 becomes the lone surrogate
// U+DC80+byte (Python's "surrogateescape"). That keeps valid names readable,
// survives JSON round trips, and converts back to the exact original bytes.

const decoder = new TextDecoder('utf-8', { fatal: true });

export function bytesToText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    return decodeLossless(bytes);
  }
}

function decodeLossless(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len > 0) {
      out += decoder.decode(bytes.subarray(i, i + len));
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i += 1;
    }
  }
  return out;
}

// Length of a valid UTF-8 sequence starting at i, or 0 if the byte there
// does not begin one (overlong forms and surrogates count as invalid).
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function textToBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc80 && code <= 0xdcff && !isLowSurrogateOfPair(text, i)) {
      if (i > start) parts.push(Buffer.from(text.slice(start, i), 'utf8'));
      parts.push(Buffer.from([code - 0xdc00]));
      start = i + 1;
    }
  }
  if (start < text.length) parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

function isLowSurrogateOfPair(text: string, i: number): boolean {
  if (i === 0) return false;
  const prev = text.charCodeAt(i - 1);
  return prev >= 0xd800 && prev <= 0xdbff;
}

/** A printable rendering for terminals and logs: escaped bytes as \xNN. */
export function displayText(text: string): string {
  return text.replace(/[\udc80-\udcff]/g, (ch) => `\\x${(ch.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);
}
