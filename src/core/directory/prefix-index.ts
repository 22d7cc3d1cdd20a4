/**
 * Which documents have a word starting with a given prefix, for search as you type over 100k
 * contacts: the distinct words sorted, each with its documents (postings), so a prefix is a binary
 * search to a range of words and the cost of a lookup is the postings in that range, not the size
 * of the directory.
 */
export class PrefixIndex {
  private readonly words: string[];
  /** postings of words[i] are docs[starts[i] .. starts[i + 1]) */
  private readonly starts: Int32Array;
  private readonly docs: Int32Array;

  constructor(wordsOfDoc: readonly (readonly string[])[]) {
    const byWord = new Map<string, number[]>();
    wordsOfDoc.forEach((words, doc) => {
      for (const word of words) {
        const list = byWord.get(word);
        if (!list) byWord.set(word, [doc]);
        else if (list[list.length - 1] !== doc) list.push(doc);
      }
    });
    this.words = [...byWord.keys()].sort();
    this.starts = new Int32Array(this.words.length + 1);
    let total = 0;
    this.words.forEach((w, i) => {
      this.starts[i] = total;
      total += byWord.get(w)!.length;
    });
    this.starts[this.words.length] = total;
    this.docs = new Int32Array(total);
    this.words.forEach((w, i) => this.docs.set(byWord.get(w)!, this.starts[i]!));
  }

  /**
   * Step `step` of an AND over several prefixes: every document with a word starting with `prefix`
   * whose mark is `step` gets `step + 1`. After steps 0..k-1, the documents marked k have all k.
   */
  advance(prefix: string, marks: Uint16Array, step: number): void {
    let lo = lowerBound(this.words, prefix);
    for (; lo < this.words.length && this.words[lo]!.startsWith(prefix); lo++) {
      for (let p = this.starts[lo]!, end = this.starts[lo + 1]!; p < end; p++) {
        const doc = this.docs[p]!;
        if (marks[doc] === step) marks[doc] = step + 1;
      }
    }
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
