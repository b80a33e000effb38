/**
 * A yes/no check on a string, with its answers kept: the checks it wraps parse an address or
 * a URL on every request, while a server sees the same few values over and over (its proxy's
 * address, its own Host). Bounded: a flood of made-up values only empties the memo. An absent
 * value is a no.
 */
export function rememberAnswers(check: (value: string) => boolean): (value: string | undefined) => boolean {
  const answers = new Map<string, boolean>();
  return function rememberedAnswer(value) {
    if (value === undefined) return false;
    let answer = answers.get(value);
    if (answer === undefined) {
      if (answers.size >= 1024) answers.clear();
      answers.set(value, (answer = check(value)));
    }
    return answer;
  };
}
