// The repository's settings, plus Angular's parser for component templates (the plain HTML parser
// does not understand @if/@for blocks).
import root from '../.prettierrc.json' with { type: 'json' };

export default { ...root, overrides: [{ files: '*.html', options: { parser: 'angular' } }] };
