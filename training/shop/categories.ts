/**
 * Online Retail has no categories; the demo catalogue derives one from each description
 * by keywords. The first rule that matches wins, so seasonal goods go to "Christmas"
 * before their shape (a Christmas mug is a Christmas item).
 */
const RULES: readonly [category: string, words: RegExp][] = [
  ['Christmas', /\b(CHRISTMAS|XMAS|ADVENT|SANTA|REINDEER|SNOWFLAKE|SNOW)\b/],
  ['Party', /\b(PARTY|BUNTING|GARLAND|BALLOONS?|CAKE CASES|PAPER CHAIN|CONFETTI)\b/],
  ['Bags', /\b(BAGS?|SHOPPER|TOTE|PURSE|RUCKSACK|BACKPACK)\b/],
  ['Candles and lights', /\b(CANDLES?|T-LIGHTS?|TEALIGHTS?|LANTERN|LIGHTS?|LAMP|CHANDELIER|NIGHTLIGHT)\b/],
  [
    'Kitchen',
    /\b(MUGS?|CUPS?|TEACUPS?|SAUCERS?|PLATES?|BOWLS?|JARS?|BAKING|LUNCH|BOTTLE|TEA|COFFEE|APRON|NAPKINS?|CUTLERY|SPOONS?|TRAY|CAKESTAND|JUG|GLASS|TUMBLER|EGG|CAKE|RECIPE|OVEN|CHOPPING|TEAPOT|COASTERS?|PLACEMATS?|BISCUIT|SUGAR|TOAST|FOOD|STRAWS|DISH|BEAKERS|COOKIE|BREAD|DOILIES|CUTTERS?|LADLE|COLANDER)\b/,
  ],
  ['Cards and wrap', /\b(CARDS?|WRAP|GIFT TAPE|RIBBONS?|TISSUES?|ENVELOPES?|TAGS?|WRAPPING)\b/],
  [
    'Stationery',
    /\b(PENS?|PENCILS?|NOTEBOOKS?|NOTE BOOK|NOTEPAD|ERASERS?|STICKERS?|CALENDAR|DIARY|BOOK|RULER|CRAYONS|CHALK|STAMP)\b/,
  ],
  [
    'Toys and games',
    /\b(TOYS?|GAMES?|PUZZLES?|DOLLY|DOLL|SPACEBOY|SKITTLES|DOMINOES|PLAYING|KIT|JIGSAW|DINOSAUR|SOLDIER|SKIPPING|BINGO|SPINNING TOPS?|RABBIT|TEDDY|BEAR|PLAYHOUSE|LADDERS|TATTOOS|PAINT SET|FELTCRAFT|BUILDING BLOCK)\b/,
  ],
  ['Garden', /\b(GARDEN|PLANTERS?|PLANT|FLOWER POT|WATERING|BIRD|PARASOL|HEN HOUSE|BIRDHOUSE|TRELLIS)\b/],
  [
    'Jewellery and accessories',
    /\b(NECKLACE|BRACELET|EARRINGS|RING|HAIR|UMBRELLA|SCARF|GLOVES|SLIPPERS|HAT|BROOCH|CHARM|DIAMANTE|BEADS?|BANGLE|HAND WARMER|BATH|SPONGE|SOAP)\b/,
  ],
  ['Storage', /\b(BOX|BOXES|BASKETS?|DRAWERS?|CABINET|STORAGE|TINS?|TRUNK|CRATE|CASE|HOLDER)\b/],
  [
    'Home decor',
    /\b(SIGN|FRAMES?|CLOCK|MIRROR|CUSHION|HANGERS?|HOOKS?|DOORSTOP|ORNAMENT|HEARTS?|DECORATIONS?|WALL|VASE|DOORMAT|WREATH|BLANKET|THROW|CUSHIONS|PLAQUE|CHIME|DOOR|HANGING|CURTAIN|MAGNETS?|COAT RACK|CHALKBOARD|BLACK BOARD|PHOTO|DISCO BALL|QUILT|LETTERS|FLYING DUCKS)\b/,
  ],
];

/** The derived category of a description ("Other" when no rule matches). */
export function categoryOf(description: string): string {
  const text = description.toUpperCase();
  for (const [category, words] of RULES) if (words.test(text)) return category;
  return 'Other';
}

/** "WHITE HANGING HEART T-LIGHT HOLDER" → "White Hanging Heart T-Light Holder". */
export function titleCase(description: string): string {
  return description
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(^|[\s\-/(])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
}
