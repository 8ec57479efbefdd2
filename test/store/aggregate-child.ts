// Child process for the crash test: opens the store and aggregates. With
// HANG_AT=n it stops inside the n-th chunk's transaction (rows written, not
// committed) and says HANG, so the parent can kill -9 it mid-chunk.
import { aggregate } from '../../src/graph/index.js';
import { openStore } from '../../src/store/index.js';

const [db, schema, chunkSize, hangAt] = process.argv.slice(2);
const store = await openStore({ db: db!, ...(schema && schema !== '-' ? { schema } : {}) });
let chunks = 0;
process.stdout.write('OPEN\n');
await aggregate(store, {
  chunkSize: Number(chunkSize),
  beforeCommit: async () => {
    chunks++;
    process.stdout.write(`CHUNK ${chunks}\n`);
    if (chunks === Number(hangAt)) {
      process.stdout.write('HANG\n');
      await new Promise(() => {}); // never commits
    }
  },
});
process.stdout.write('DONE\n');
await store.close();
