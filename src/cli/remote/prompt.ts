// Questions on the terminal: a line (the user name) and a secret (the
// password, never echoed). Without a terminal (a script, a test) both are
// read as lines from standard input, in order, through one reader: two
// readers would each buffer what the other needs.
import { createInterface, type Interface } from 'node:readline';
import { CliError } from '../errors.js';

export class Prompter {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(private readonly input: NodeJS.ReadStream = process.stdin, private readonly output: NodeJS.WriteStream = process.stderr) {}

  /** A line of text, shown as it is typed. */
  async ask(question: string): Promise<string> {
    // Piped answers (scripts, tests): no question on the terminal.
    if (!this.input.isTTY) return this.nextLine(question);
    this.output.write(question);
    return new Promise((resolve) => {
      const rl = createInterface({ input: this.input, output: this.output, terminal: true });
      rl.once('close', () => resolve(''));
      rl.once('line', (l) => {
        resolve(l); // before close(), whose handler would answer ''
        rl.close();
      });
    });
  }

  /** A secret: nothing is echoed; Ctrl-C stops. */
  async secret(question: string): Promise<string> {
    if (!this.input.isTTY) return this.nextLine(question);
    this.output.write(question);
    return readHidden(this.input, this.output);
  }

  close(): void {
    this.rl?.close();
    this.input.pause();
  }

  private nextLine(question: string): Promise<string> {
    if (!this.rl) {
      this.rl = createInterface({ input: this.input, terminal: false });
      this.rl.on('line', (l) => {
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(l);
        } else this.lines.push(l);
      });
      this.rl.on('close', () => {
        this.ended = true;
        this.waiting?.(undefined);
      });
    }
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(noInput(question));
    return new Promise((resolve, reject) => {
      this.waiting = (l) => (l === undefined ? reject(noInput(question)) : resolve(l));
    });
  }
}

function noInput(question: string): CliError {
  return new CliError('E_NO_INPUT', `standard input ended before the answer to "${question.trim()}"`);
}

/** Raw-mode reading: the characters go nowhere but into the answer. */
function readHidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('E_CANCELLED', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch >= ' ') answer += ch;
      }
    };
    input.on('data', onData);
  });
}
