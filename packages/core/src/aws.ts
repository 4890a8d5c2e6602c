export {}; // placeholder until this module lands
