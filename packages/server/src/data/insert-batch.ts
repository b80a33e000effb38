/** The most rows one INSERT carries: 256 rows of a dozen columns stay far below SQLite's and PostgreSQL's parameter limits. */
const MAX_ROWS = 256;

interface Waiting<Row> {
  row: Row;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Inserts into one table, grouped: the rows asked for during one turn of the event loop are
 * written at the next turn by multi-row INSERTs instead of one statement each. On the chat
 * path every message inserts two rows (the user's message and the reply), and under load
 * many messages do so in the same turn (bench/README.md, "SQL statements per message").
 *
 * A group is cut into power-of-two sizes (37 rows: 32 + 4 + 1), so the SQL texts stay few
 * and each is prepared once. Each caller's promise settles when its own row is written. If a
 * multi-row INSERT fails, its rows are tried again one by one, so a bad row (a thread deleted
 * meanwhile) fails alone and never takes the others with it.
 */
export class InsertBatch<Row> {
  private waiting: Waiting<Row>[] = [];

  /** `write` inserts the rows in one statement; it is given 1, 2, 4, … or 256 rows. */
  constructor(private readonly write: (rows: readonly Row[]) => Promise<unknown>) {}

  insert(row: Row): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ row, resolve, reject });
    });
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    let start = 0;
    while (start < waiting.length) {
      const size = Math.min(MAX_ROWS, 2 ** Math.floor(Math.log2(waiting.length - start)));
      void this.writeGroup(waiting.slice(start, start + size));
      start += size;
    }
  }

  private async writeGroup(group: readonly Waiting<Row>[]): Promise<void> {
    try {
      await this.write(group.map((item) => item.row));
      for (const item of group) item.resolve();
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const item of group) this.write([item.row]).then(item.resolve, item.reject);
    }
  }
}
