/** A grid of Fashion-MNIST thumbnails with their class names (one per class, the first of each). */
import { FASHION_MNIST_CLASSES, type FashionMnistData, IMAGE_SIZE } from '@klevel/zoo';
import { esc } from './dom';

function thumbnail(data: FashionMnistData, index: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = IMAGE_SIZE;
  canvas.height = IMAGE_SIZE;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  for (let p = 0; p < pixels; p++) {
    const v = Math.round(255 * data.images[index * pixels + p]!);
    // ink on the dark tile: a cool tint that fades into the background
    img.data.set(
      [Math.round(15 + v * 0.86), Math.round(23 + v * 0.88), Math.round(42 + v * 0.83), 255],
      p * 4,
    );
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** Fills `el` with one example image per class. */
export function renderSamples(el: HTMLElement, data: FashionMnistData): void {
  el.replaceChildren();
  FASHION_MNIST_CLASSES.forEach((name, c) => {
    const index = data.labels.indexOf(c);
    if (index < 0) return;
    const fig = document.createElement('figure');
    fig.className = 'sample';
    fig.append(thumbnail(data, index));
    fig.insertAdjacentHTML('beforeend', `<figcaption>${esc(name)}</figcaption>`);
    el.append(fig);
  });
}
