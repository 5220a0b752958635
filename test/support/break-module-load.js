// Preloaded into a handler container to make the bundle's lazily loaded part fail while it
// loads (as a corrupt deployment or a runtime incompatibility would): `node:os`, which the AWS
// SDK needs at load time and the entry point does not, throws.
'use strict';
const Module = require('module');
const original = Module.prototype.require;
Module.prototype.require = function (id) {
  if (id === 'node:os') throw new Error('simulated failure while loading the handler');
  return original.apply(this, arguments);
};
