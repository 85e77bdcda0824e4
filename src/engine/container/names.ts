// Container names: Docker's validation and its generated `adjective_surname` names.
import { randomInt } from 'node:crypto';
import { invalidArgument } from '../../common/errors.js';

const VALID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** "/x" for "x" or "/x"; Docker's error for anything else. */
export function normalizeName(name: string): string {
  if (!VALID.test(name)) throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];
// Scientists and engineers, as in Docker's generator (a list of surnames is a fact, not code).
const RIGHT = [
  'agnesi', 'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'aryabhata', 'austin', 'babbage', 'banach',
  'bardeen', 'bartik', 'bassi', 'beaver', 'bell', 'benz', 'bhabha', 'bhaskara', 'blackwell', 'bohr', 'booth',
  'borg', 'bose', 'boyd', 'brahmagupta', 'brattain', 'brown', 'carson', 'cartwright', 'cerf', 'chandrasekhar',
  'chaplygin', 'chatelet', 'chatterjee', 'chebyshev', 'clarke', 'cohen', 'colden', 'cori', 'cray', 'curie',
  'darwin', 'davinci', 'dewdney', 'dhawan', 'diffie', 'dijkstra', 'dirac', 'driscoll', 'dubinsky', 'easley',
  'edison', 'einstein', 'elbakyan', 'elgamal', 'elion', 'ellis', 'engelbart', 'euclid', 'euler', 'faraday', 'feistel',
  'fermat', 'fermi', 'feynman', 'franklin', 'gagarin', 'galileo', 'galois', 'ganguly', 'gates', 'gauss', 'germain',
  'goldberg', 'goldstine', 'goldwasser', 'golick', 'goodall', 'gould', 'greider', 'grothendieck', 'haibt',
  'hamilton', 'haslett', 'hawking', 'heisenberg', 'hellman', 'hermann', 'herschel', 'hertz', 'heyrovsky',
  'hodgkin', 'hofstadter', 'hoover', 'hopper', 'hugle', 'hypatia', 'ishizaka', 'jackson', 'jang', 'jemison',
  'jennings', 'jepsen', 'johnson', 'joliot', 'jones', 'kalam', 'kapitsa', 'kare', 'keldysh', 'keller', 'kepler',
  'khayyam', 'khorana', 'kilby', 'kirch', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey',
  'leavitt', 'lederberg', 'lehmann', 'lewin', 'lichterman', 'liskov', 'lovelace', 'lumiere', 'mahavira',
  'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy', 'mcclintock', 'mclaren', 'mclean', 'mcnulty',
  'meitner', 'mendel', 'mendeleev', 'meninsky', 'merkle', 'mestorf', 'mirzakhani', 'montalcini', 'moore',
  'morse', 'moser', 'murdock', 'napier', 'nash', 'neumann', 'newton', 'nightingale', 'nobel', 'noether',
  'northcutt', 'noyce', 'panini', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'poitras',
  'proskuriakova', 'ptolemy', 'raman', 'ramanujan', 'rhodes', 'ride', 'ritchie', 'robinson', 'roentgen',
  'rosalind', 'rubin', 'saha', 'sammet', 'sanderson', 'satoshi', 'shamir', 'shannon', 'shaw', 'shirley',
  'shockley', 'shtern', 'sinoussi', 'snyder', 'solomon', 'spence', 'stonebraker', 'sutherland', 'swanson',
  'swartz', 'swirles', 'taussig', 'tesla', 'tharp', 'thompson', 'torvalds', 'tu', 'turing', 'varahamihira',
  'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles', 'williams', 'williamson',
  'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow', 'yonath', 'zhukovsky',
];

export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    let name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
    // Docker's own joke: Steve Wozniak is not boring.
    if (name === 'boring_wozniak') continue;
    if (attempt > 10) name += randomInt(10);
    if (!taken(`/${name}`)) return name;
  }
}
