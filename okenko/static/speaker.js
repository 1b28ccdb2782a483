// One loudspeaker per page (waiting-room display, kiosk): a single AudioContext made on first use,
// a volume, and a queue, so announcements follow each other and never overlap. The sounds are WAV
// files synthesized by the server (okenko/speech.py): screens need no voices of their own.
// A display browser must allow sound without a tap (Chromium: --autoplay-policy=no-user-gesture-required);
// otherwise the first tap on the page unlocks it.
class OkenkoSpeaker {
  constructor(volume = 1) {
    this.volume = volume;
    this.context = null;
    this.output = null;
    this.queue = Promise.resolve();
    this.current = null;
    this.generation = 0;          // bumped by interrupt(): what was queued before is dropped
    document.addEventListener("pointerdown", () => this.unlock(), { capture: true });
    document.addEventListener("keydown", () => this.unlock(), { capture: true });
  }

  audio() {
    if (!this.context) {
      this.context = new AudioContext();
      this.output = this.context.createGain();
      this.output.gain.value = this.volume;
      this.output.connect(this.context.destination);
    }
    return this.context;
  }

  unlock() {
    if (window.AudioContext && this.audio().state === "suspended") this.audio().resume().catch(() => {});
  }

  setVolume(volume) {
    this.volume = volume;
    if (this.output) this.output.gain.value = volume;
  }

  // Plays after everything queued before; resolves when done (or given up on: a broken file,
  // a missing sound device). Downloads start at once, so only the playing waits its turn.
  say(urls, { chime = false } = {}) {
    if (!window.AudioContext) return Promise.resolve();
    const sounds = urls.map((url) => this.load(url));
    const generation = this.generation;
    this.queue = this.queue.then(async () => {
      await this.wake();
      if (chime && generation === this.generation) await this.chime();
      for (const sound of sounds) {
        const buffer = await sound;
        if (generation !== this.generation) return;
        if (buffer) await this.play(buffer);
      }
    }).catch(() => {});
    return this.queue;
  }

  // Drops what is queued and stops what plays: a kiosk reads the new screen, not the old one.
  interrupt() {
    this.generation += 1;
    if (this.current) {
      try { this.current.stop(); } catch (error) { /* already ended */ }
    }
    this.queue = Promise.resolve();
  }

  async load(url) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return null;
      return await this.audio().decodeAudioData(await response.arrayBuffer());
    } catch (error) {
      return null;          // no voice for it: the chime (or silence) alone
    }
  }

  async wake() {
    if (this.audio().state === "suspended") {
      await Promise.race([this.audio().resume(), new Promise((resolve) => setTimeout(resolve, 500))]);
    }
  }

  play(buffer) {
    return new Promise((resolve) => {
      const source = this.audio().createBufferSource();
      source.buffer = buffer;
      source.connect(this.output);
      const done = () => { clearTimeout(guard); if (this.current === source) this.current = null; resolve(); };
      // A context that never runs (no sound device) must not hold the queue forever.
      const guard = setTimeout(done, buffer.duration * 1000 + 1500);
      source.onended = done;
      this.current = source;
      source.start();
    });
  }

  chime() {
    const audio = this.audio();
    const now = audio.currentTime;
    [[660, 0], [880, 0.35]].forEach(([frequency, start]) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.4, now + start + 0.05);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.6);
      tone.connect(gain).connect(this.output);
      tone.start(now + start);
      tone.stop(now + start + 0.65);
    });
    return new Promise((resolve) => setTimeout(resolve, 1100));
  }
}
window.OkenkoSpeaker = OkenkoSpeaker;
