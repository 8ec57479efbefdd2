export {
  exportJobProvJson, exportLineageProvJson, provDocument, provId, xsdDateTime, KISEKI_NS, PROV_PREFIXES,
  type ProvExport, type ProvExportOptions, type ProvJsonDocument,
} from './prov-json.js';
