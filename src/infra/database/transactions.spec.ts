import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { inTransaction, serializeEmbedded } from './transactions';

/** A promise and the function that settles it: lets a test hold a transaction open. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('inTransaction (embedded: one sql.js connection)', () => {
  let db: DataSource;

  beforeEach(async () => {
    db = new DataSource({ type: 'sqljs', synchronize: false, logging: false });
    await db.initialize();
    serializeEmbedded(db);
    await db.query('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
  });
  afterEach(async () => {
    await db.destroy();
  });

  const ids = async () => ((await db.query('SELECT id FROM notes ORDER BY id')) as Array<{ id: string }>).map((r) => r.id);

  it('keeps a statement sent outside any transaction when another request’s transaction rolls back', async () => {
    const hold = gate();
    const started = gate();
    const failing = inTransaction(db, async (em) => {
      await em.query("INSERT INTO notes (id, body) VALUES ('doomed', 'rolled back')");
      started.open();
      await hold.opened;
      throw new Error('the use case failed');
    });
    await started.opened;
    // A login's session row, say: written with the pooled manager while the transaction above is open.
    const standalone = db.query("INSERT INTO notes (id, body) VALUES ('kept', 'committed on its own')");
    hold.open();
    await expect(failing).rejects.toThrow('the use case failed');
    await standalone;
    await expect(ids()).resolves.toEqual(['kept']);
  });

  it('does not let a statement outside the transaction see what it has not committed', async () => {
    const hold = gate();
    const started = gate();
    const writing = inTransaction(db, async (em) => {
      await em.query("INSERT INTO notes (id, body) VALUES ('pending', 'never committed')");
      started.open();
      await hold.opened;
      throw new Error('rolled back');
    });
    await started.opened;
    const seen = ids();
    hold.open();
    await expect(writing).rejects.toThrow('rolled back');
    // The read waited for the transaction to end: it never sees a row that was then rolled back.
    await expect(seen).resolves.toEqual([]);
  });

  it('runs a transaction begun inside another as part of it (a savepoint), instead of waiting for itself', async () => {
    await inTransaction(db, async (outer) => {
      await outer.query("INSERT INTO notes (id, body) VALUES ('outer', 'x')");
      await expect(inTransaction(db, (inner) => inner.query("INSERT INTO notes (id, body) VALUES ('inner', 'y')"))).resolves.toBeDefined();
      // Statements of the transaction's own work, sent through the pooled manager, run in it too.
      await expect(db.query('SELECT COUNT(*) AS n FROM notes')).resolves.toEqual([{ n: 2 }]);
    });
    await expect(ids()).resolves.toEqual(['inner', 'outer']);
  });

  it('runs transactions one after another, each all or nothing', async () => {
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((id) =>
        inTransaction(db, async (em) => {
          await em.query('INSERT INTO notes (id, body) VALUES (?, ?)', [id, 'first']);
          if (id === 'b') throw new Error('b fails after its insert');
          await em.query('INSERT INTO notes (id, body) VALUES (?, ?)', [`${id}2`, 'second']);
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(ids()).resolves.toEqual(['a', 'a2', 'c', 'c2']);
  });
});
