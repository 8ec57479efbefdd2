import { describe, expect, it } from 'vitest';
import { bytesToText, displayText, textToBytes } from './bytes-text.js';

describe('bytes-text', () => {
  it('keeps valid UTF-8 as ordinary text', () => {
    const name = Buffer.from('データ é.txt', 'utf8');
    expect(bytesToText(name)).toBe('データ é.txt');
    expect(textToBytes('データ é.txt').equals(name)).toBe(true);
  });

  it('round-trips invalid bytes exactly, also through JSON', () => {
    const raw = Buffer.from([0x61, 0xff, 0xfe, 0x2f, 0xc3, 0x28, 0xe2, 0x82, 0x62]);
    const text = bytesToText(raw);
    const again = JSON.parse(JSON.stringify(text)) as string;
    expect(textToBytes(again).equals(raw)).toBe(true);
    expect(displayText(text)).toBe('a\\xff\\xfe/\\xc3(\\xe2\\x82b');
  });

  it('treats encoded surrogates and overlong forms as invalid bytes', () => {
    const raw = Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]);
    expect(textToBytes(bytesToText(raw)).equals(raw)).toBe(true);
    expect(displayText(bytesToText(raw))).toBe('\\xed\\xa0\\x80\\xc0\\xaf');
  });
});
