/**
 * The critical-alert sound, synthesised with WebAudio (no audio files, nothing from a CDN): three
 * short two-tone pulses. Browsers only let a page play sound after a user gesture, so the audio
 * context is created on the first click or key press; until then a critical alert stays silent
 * (it still shows in the panel). Muting is remembered in localStorage.
 */

const STORAGE_KEY = 'ioc.sound-muted';

export class Alarm {
  private context: AudioContext | undefined;
  private lastPlayed = 0;
  muted: boolean;

  constructor() {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(STORAGE_KEY);
    } catch {
      stored = null;
    }
    this.muted = stored === '1';
    const unlock = () => {
      this.ensureContext();
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
    };
    window.addEventListener('pointerdown', unlock, true);
    window.addEventListener('keydown', unlock, true);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    try {
      localStorage.setItem(STORAGE_KEY, muted ? '1' : '0');
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }

  /** Plays the alarm unless muted; repeated calls within 2 s play once. Returns true when it played. */
  play(): boolean {
    if (this.muted) return false;
    const context = this.ensureContext();
    if (context?.state !== 'running') return false;
    const now = context.currentTime;
    if (now - this.lastPlayed < 2) return false;
    this.lastPlayed = now;
    const gain = context.createGain();
    gain.connect(context.destination);
    gain.gain.setValueAtTime(0, now);
    for (let pulse = 0; pulse < 3; pulse++) {
      const start = now + pulse * 0.32;
      for (const [offset, frequency] of [
        [0, 880],
        [0.13, 660],
      ] as const) {
        const oscillator = context.createOscillator();
        oscillator.type = 'square';
        oscillator.frequency.setValueAtTime(frequency, start + offset);
        oscillator.connect(gain);
        oscillator.start(start + offset);
        oscillator.stop(start + offset + 0.12);
      }
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.01);
      gain.gain.setValueAtTime(0.18, start + 0.24);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.26);
    }
    return true;
  }

  private ensureContext(): AudioContext | undefined {
    if (typeof AudioContext === 'undefined') return undefined;
    this.context ??= new AudioContext();
    if (this.context.state === 'suspended') void this.context.resume();
    return this.context;
  }
}
