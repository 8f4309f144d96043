namespace NetViz.Web;

/// <summary>
/// The dashboard's strings (Resources/SharedResource.resx in English, SharedResource.ko.resx in Korean), read through
/// <c>IStringLocalizer&lt;SharedResource&gt;</c>. Korean uses the lesson's terms: 네트워크 네임스페이스, 브리지, veth 페어.
/// </summary>
public sealed class SharedResource;
