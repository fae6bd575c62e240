/** Which connections listen to which topic (stream name); the fan-out lookup table. */
export class TopicIndex<C> {
  private readonly map = new Map<string, Set<C>>();

  add(topic: string, c: C): void {
    let set = this.map.get(topic);
    if (!set) {
      set = new Set();
      this.map.set(topic, set);
    }
    set.add(c);
  }

  remove(topic: string, c: C): void {
    const set = this.map.get(topic);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.map.delete(topic);
  }

  get(topic: string): ReadonlySet<C> | undefined {
    return this.map.get(topic);
  }

  has(topic: string): boolean {
    return this.map.has(topic);
  }

  get size(): number {
    return this.map.size;
  }
}
