//! Namespace URIs used on the wire.

/// SOAP 1.2 envelope.
pub const SOAP_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
/// ONVIF schema types (`tt:`).
pub const TT: &str = "http://www.onvif.org/ver10/schema";
/// Device service (`tds:`).
pub const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";
/// Media ver10 (`trt:`).
pub const TRT: &str = "http://www.onvif.org/ver10/media/wsdl";
/// Media2 ver20 (`tr2:`).
pub const TR2: &str = "http://www.onvif.org/ver20/media/wsdl";
/// PTZ ver20 (`tptz:`).
pub const TPTZ: &str = "http://www.onvif.org/ver20/ptz/wsdl";
/// Recording control ver10 (`trc:`).
pub const TRC: &str = "http://www.onvif.org/ver10/recording/wsdl";
/// Imaging ver20 (`timg:`).
pub const TIMG: &str = "http://www.onvif.org/ver20/imaging/wsdl";
/// ONVIF error subcodes (`ter:`).
pub const TER: &str = "http://www.onvif.org/ver10/error";
/// Network (discovery types, `tdn:`/`dn:`).
pub const TDN: &str = "http://www.onvif.org/ver10/network/wsdl";
