// The Twitter/X adapter: syndication token, capture plan, and reading answers
// (recorded real answers from the corpus, plus synthetic failures).
#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/platform/platform.h"
#include "embarc/platform/twitter.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace net = embarc::net;
namespace twitter = embarc::platform::twitter;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "application/json",
                          net::HeaderList extra = {}) {
  return embarc::testing::OneAnswer(status, body, content_type, "", std::move(extra));
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

// The "response" member of a recorded answer in corpus/api, as a 200 JSON answer.
net::FetchResponse Recorded(const std::string& file) { return embarc::testing::RecordedApiAnswer(file); }

const embarc::platform::Adapter& Adapter() { return twitter::TwitterAdapter(); }

Observation Interpret(const PostRef& post, net::FetchResponse syndication, net::FetchResponse oembed) {
  const std::vector<net::FetchResponse> answers = {std::move(syndication), std::move(oembed)};
  return Adapter().Interpret(post, answers);
}

PostRef Tweet(const std::string& id, const std::string& handle = "someone") {
  return twitter::MakeTweetRef(id, handle);
}

std::string Gzip(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Generated with node 18 from a fixed pseudo-random sequence (see the report):
// id -> ((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\.)/g, '')
struct TokenVector {
  const char* id;
  const char* token;
};
constexpr TokenVector kNodeTokens[] = {
    {"4895494634720187923", "bv7nedhn9p"},
    {"4109187857277", "gqatpnxrpq"},
    {"87797624662775", "9xgv127hl88"},
    {"1787319773377281", "5m52vcpt515"},
    {"96822299788827", "ay7n976fynq"},
    {"37", "bszkd91ihbd"},
    {"42189418924927", "4rrvlzxcrqa"},
    {"425993", "2wvhbyukccf"},
    {"1757603", "cp8u58rsc"},
    {"129229", "vtbt18yoh1"},
    {"650065588853515527", "1kq8op2vrug"},
    {"6589591382678417", "kp9jqgj6mue"},
    {"417627864514859", "1b8dg4j3r3nl"},
    {"7701", "1w92x6vrh94"},
    {"359512117883852687", "vdfv1yjmb3c"},
    {"828697", "5ok2qsku3k"},
    {"95", "ub6o2vzqxf"},
    {"514400664485533", "1m6du6qmzsw"},
    {"611415", "46iu2tii7b"},
    {"4085463073", "lk2p4wbkul"},
    {"72732954108600379", "6chwip22v3h"},
    {"1025352321120215525", "2hh8m5onaqu"},
    {"480975348107167", "1ieajuhkuqj"},
    {"7", "28eig4mnxfp"},
    {"31116611", "5wsjmcz3r9"},
    {"1988421165", "ahpxzoa5tcg"},
    {"331098857098790183", "sw6eci164j"},
    {"4225", "11g11erf6qo"},
    {"715", "6c4lrrf5w5o"},
    {"181", "1lqztl1f6qa"},
    {"4930095", "xpqc6ffsyq"},
    {"646201", "4f34wecefeh"},
    {"87", "rrankge9eff"},
    {"9011901", "1pmmh9993g3l"},
    {"47180630782323511", "4484pd4eoq"},
    {"3673678145", "jduoifivjvi"},
    {"5270388580383410779", "crxewlprxhj"},
    {"875013", "5zf1nr4wv5c"},
    {"1250319905727", "539ivxts5ia"},
    {"329", "2wyy321l8nk"},
    {"8271204576099", "xocesujvch"},
    {"33", "aj1k4194t27"},
    {"54509262151", "7zml1m4eibk"},
    {"832402744785", "3ebaxuzy7x"},
    {"45315947", "8lw96o96dk"},
    {"73047931887368853", "6dhiyamn2bf"},
    {"170003837743055", "j86611u8yuc"},
    {"483098660780643225", "165p661orbi"},
    {"663376100501619", "23xsam62dq"},
    {"8751960695731421", "rhtn676f7df"},
    {"5075660611461975", "fy1kmgg7ou"},
    {"6713569", "19wsvf16dr"},
    {"115", "1owpcywx46"},
    {"4607802294309", "irduk3oo9ik"},
    {"1788003295", "9fndgjx551q"},
    {"25", "7z5jllodgk"},
    {"2898629795541338499", "7ybb1axdq5"},
    {"6863853", "1axst16cwyaf"},
    {"941580334439", "3ueot465lx"},
    {"37", "bszkd91ihbd"},
    {"2578498903379384203", "69lcswmxt"},
    {"9871650474421", "146xfnl25j59"},
    {"633647", "4bzvf5wxqa"},
    {"53", "gwrle4716b"},
    {"7011", "1q4xgypxzqe"},
    {"57", "i6plnbzeuju"},
    {"15969454957046647", "1e63p8hr7w3"},
    {"1520775315923724161", "3opnmwh4n5"},
    {"92326334107", "dj6bhljd4o"},
    {"9", "2vdikqiurk6"},
    {"7024766409727", "slndafgv8s"},
    {"594314569", "34w9a6kfzsk"},
    {"3971", "z6zjk5iv2h"},
    {"19437", "4s9ki2ifnk"},
    {"2252807", "fem4mrn76o"},
    {"64058170122055697", "5l8t3mtuun"},
    {"36811", "928x1xzp1ey"},
    {"636928961341653", "219bhkeesb"},
    {"2666218260495", "ausr2llj2r8"},
    {"9839843081631802841", "nuos18scou"},
    {"628317088777395", "1z271hfx1kj"},
    {"489039133", "2kwbpciapix"},
    {"273415063", "1fxrl1rjs9a"},
    {"9567521", "1tfetdr23hx"},
    {"10891652995066043", "y7tequ5qdbn"},
    {"245679717", "1ao3gtvzo5k"},
    {"7722979588127", "vfzlxihktl"},
    {"886097979873547369", "25brbjf6osm"},
    {"96983628494275", "ayvaj7rb84u"},
    {"925", "874p57a1us"},
    {"67", "ldkmadgd16l"},
    {"243106979121", "zmsmhl5jea"},
    {"251", "283y2bpuo"},
    {"65172619679733", "7dcmczbapvn"},
    {"63", "k3mm15nzcxf"},
    {"53", "gwrle4716b"},
    {"1", "bhi2ay3f28n"},
    {"687291453", "3mk33oggdhc"},
    {"9", "2vdikqiurk6"},
    {"58987316106633665", "55bb3j6ude"},
    {"80266459", "f8wntihq9gi"},
    {"316355360133", "1adaw6onqn3"},
    {"106906175", "kb31pozfup"},
    {"312443584551763337", "r9kjbucprrp"},
    {"3653404017635", "evhsyze4kn"},
    {"38841293", "7dm9rh994fm"},
    {"71751", "hnwvi28g36"},
    {"8257", "216h86gu21r"},
    {"35", "b6k8n5bn7"},
    {"97", "uy5o7hv7l2"},
    {"8493775", "1m32fyv3ss9g"},
    {"3811438617", "k4rixm85pr"},
    {"872123100139004147", "243usrcib8r"},
    {"273117295583581", "uvzxn86o3qg"},
    {"8903009969111", "18y8m2ykp6"},
    {"409", "3mhu86dcu4i"},
    {"938952875259", "3tmjkrgcbt"},
    {"941454501", "4yu72e1ukzy"},
    {"320991", "27ve566qtx"},
    {"99081", "oe4s9nf3ub"},
};

// value.toString(radix) in node 18, for values between 2^-70 and 2^70, both signs
// (radix 10 is left out: V8 prints it with its shortest-decimal algorithm instead).
struct RadixVector {
  double value;
  int radix;
  const char* text;
};
constexpr RadixVector kNodeRadix[] = {
    {-494.15737781151881, 2, "-111101110.0010100001001001111010011000100110010110111"},
    {-494.15737781151881, 7, "-1304.1046602252332035"},
    {-494.15737781151881, 16, "-1ee.2849e98996e"},
    {-494.15737781151881, 36, "-dq.5nymag6xh"},
    {7452759254680796.0, 2, "11010011110100011111010111011111110001100010011011100"},
    {7452759254680796.0, 7, "4401544041650355560"},
    {7452759254680796.0, 16, "1a7a3ebbf8c4dc"},
    {7452759254680796.0, 36, "21ds6c3p13w"},
    {32428270419250304, 2, "1110011001101010101011100010011000001010000110010000000"},
    {32428270419250304, 7, "25625340136231512614"},
    {32428270419250304, 16, "73355713050c80"},
    {32428270419250304, 36, "8vav1rqhojk"},
    {-14668.471962802192, 2, "-11100101001100.0111100011010010100011011110000001011"},
    {-14668.471962802192, 7, "-60523.32061164430322"},
    {-14668.471962802192, 16, "-394c.78d28de058"},
    {-14668.471962802192, 36, "-bbg.gznw9v27"},
    {3.3527910362074688e-19, 2, "0.0000000000000000000000000000000000000000000000000000000000000110001011110100111110010000101011010100110100101001"},
    {3.3527910362074688e-19, 7, "0.00000000000000000000012114266054430421112"},
    {3.3527910362074688e-19, 16, "0.00000000000000062f4f90ad4d29"},
    {3.3527910362074688e-19, 36, "0.000000000001l6xgrgsur7j"},
    {0.00021044914452989102, 2, "0.00000000000011011100101011000000001100010111011101010100000111"},
    {0.00021044914452989102, 7, "0.00003352124502324104463"},
    {0.00021044914452989102, 16, "0.000dcac03177541c"},
    {0.00021044914452989102, 36, "0.009th1zanczs8"},
    {-163397722.00902081, 2, "-1001101111010100000001011010.00000010010011110011"},
    {-163397722.00902081, 7, "-4022600125.003044201"},
    {-163397722.00902081, 16, "-9bd405a.024f3"},
    {-163397722.00902081, 36, "-2pa6hm.0bovi"},
    {2.6214034919543117e-11, 2, "0.00000000000000000000000000000000000111001101001010011000010010010100110011010011001011"},
    {2.6214034919543117e-11, 7, "0.00000000000023531120153322423362"},
    {2.6214034919543117e-11, 16, "0.000000001cd298494cd32c"},
    {2.6214034919543117e-11, 36, "0.00000021yanxv4vkq"},
    {282.45478806185395, 2, "100011010.0111010001101100111111011000110001000110001"},
    {282.45478806185395, 7, "552.3116642345004643"},
    {282.45478806185395, 16, "11a.746cfd8c462"},
    {282.45478806185395, 36, "7u.gdelazo0w"},
    {-31495895447.417286, 2, "-11101010101010011010011100110010111.011010101101001101"},
    {-31495895447.417286, 7, "-2163332460032.2630622"},
    {-31495895447.417286, 16, "-7554d3997.6ad34"},
    {-31495895447.417286, 36, "-egvucgn.f0sw"},
    {0.071359208231817503, 2, "0.00010010010001001001100011011001100111111100010110101111"},
    {0.071359208231817503, 7, "0.03332222430540024561"},
    {0.071359208231817503, 16, "0.124498d99fc5af"},
    {0.071359208231817503, 36, "0.2khc2fzmzuz"},
    {4.5450487695183258e+17, 2, "11001001110101110011100011100001011011001011000100000000000"},
    {4.5450487695183258e+17, 7, "546052245506351230200"},
    {4.5450487695183258e+17, 16, "64eb9c70b658800"},
    {4.5450487695183258e+17, 36, "3gb8j600ya60"},
    {-14793042285.991898, 2, "-1101110001101110111110100101101101.1111110111101101"},
    {-14793042285.991898, 7, "-1032404533110.6641355"},
    {-14793042285.991898, 16, "-371bbe96d.fded"},
    {-14793042285.991898, 36, "-6sne8h9.zpi"},
    {1.3138469207022394e-9, 2, "0.000000000000000000000000000001011010010010010111000010000000101000111001101111111"},
    {1.3138469207022394e-9, 7, "0.00000000002412036612241146215"},
    {1.3138469207022394e-9, 16, "0.00000005a497080a39bf8"},
    {1.3138469207022394e-9, 36, "0.000002uyi8iagszm"},
    {0.0054158691503386151, 2, "0.00000001011000101110111100110100111000010100111110000101101"},
    {0.0054158691503386151, 7, "0.001600112566232015053"},
    {0.0054158691503386151, 16, "0.0162ef34e14f85a"},
    {0.0054158691503386151, 36, "0.070okwati785"},
    {-2016297430975890.5, 2, "-111001010011100111111010100001000101000010110010010.1"},
    {-2016297430975890.5, 7, "-1144462452656150316.4"},
    {-2016297430975890.5, 16, "-729cfd4228592.8"},
    {-2016297430975890.5, 36, "-jupu9359ci.i"},
    {70421.746013965880, 2, "10001001100010101.101111101111101011000101011100011101"},
    {70421.746013965880, 7, "412211.5136115402525"},
    {70421.746013965880, 16, "11315.befac571d"},
    {70421.746013965880, 36, "1ic5.quu0zrc"},
    {6.7207719073560511e-12, 2, "0.00000000000000000000000000000000000001110110001110111010101001110101101001001111011000111"},
    {6.7207719073560511e-12, 7, "0.00000000000004362312423156056161"},
    {6.7207719073560511e-12, 16, "0.000000000763baa75a4f638"},
    {6.7207719073560511e-12, 36, "0.0000000iyk7g6no6vt"},
    {-0.0050757170576755705, 2, "-0.000000010100110010100100011001101100010000110111000111000101"},
    {-0.0050757170576755705, 7, "-0.001512103330355244625"},
    {-0.0050757170576755705, 16, "-0.014ca466c4371c5"},
    {-0.0050757170576755705, 36, "-0.06kt978euo5j"},
    {1.4097286578214426e-20, 2, "0.0000000000000000000000000000000000000000000000000000000000000000010000101001001010010010111000000000011101100111111101"},
    {1.4097286578214426e-20, 7, "0.000000000000000000000002462236353000242306"},
    {1.4097286578214426e-20, 16, "0.0000000000000000429292e00767f4"},
    {1.4097286578214426e-20, 36, "0.0000000000002ekjiy9uso6"},
    {435714877881788.44, 2, "1100011000100011111000110100001001111110110111100.0111"},
    {435714877881788.44, 7, "160530234566664131.3"},
    {435714877881788.44, 16, "18c47c684fdbc.7"},
    {435714877881788.44, 36, "4ag4nggrzw.g"},
    {-1.7604030236539376e-9, 2, "-0.000000000000000000000000000001111000111110010101011001100110101111101101101111"},
    {-1.7604030236539376e-9, 7, "-0.00000000003323642313566045665"},
    {-1.7604030236539376e-9, 16, "-0.000000078f95666bedbc"},
    {-1.7604030236539376e-9, 36, "-0.000003tyagdf7fyy"},
    {6308.9758734300294, 2, "1100010100100.1111100111010010110101110101001100000011"},
    {6308.9758734300294, 7, "24251.6555033506066"},
    {6308.9758734300294, 16, "18a4.f9d2d75303"},
    {6308.9758734300294, 36, "4v8.z4qcmknr"},
    {2607682.4651795439, 2, "1001111100101001000010.0111011100010110000000011011"},
    {2607682.4651795439, 7, "31110400.315361623334"},
    {2607682.4651795439, 16, "27ca42.771601b"},
    {2607682.4651795439, 36, "1jw3m.gqvf06"},
    {-0.0012741191346541938, 2, "-0.000000000101001110000000001011000000001110111001011000111111"},
    {-0.0012741191346541938, 7, "-0.0003026202056045235325"},
    {-0.0012741191346541938, 16, "-0.0053802c03b963f"},
    {-0.0012741191346541938, 36, "-0.01ng140y1vo"},
    {3.8990252995503985e+18, 2, "11011000011100000111101101101000011101111101100110100000000000"},
    {3.8990252995503985e+18, 7, "6660241020604634545000"},
    {3.8990252995503985e+18, 16, "361c1eda1df66800"},
    {3.8990252995503985e+18, 36, "tmfd46zibn40"},
    {1.2005743360419144e+18, 2, "1000010101001010010111111111101101010001110101001000000000000"},
    {1.2005743360419144e+18, 7, "2102160212244341606100"},
    {1.2005743360419144e+18, 16, "10a94bff6a3a9000"},
    {1.2005743360419144e+18, 36, "94dc2zxklag0"},
    {-89080325.309521854, 2, "-101010011110100001000000101.010011110011110011010011"},
    {-89080325.309521854, 7, "-2131112255.211110636"},
    {-89080325.309521854, 16, "-54f4205.4f3cd3"},
    {-89080325.309521854, 36, "-1h1ath.b551v"},
    {0.0000014634643772086847, 2, "0.000000000000000000011000100011011000100000011001011111011101111101011"},
    {0.0000014634643772086847, 7, "0.00000011302514210162206232"},
    {0.0000014634643772086847, 16, "0.0000188d88197ddf58"},
    {0.0000014634643772086847, 36, "0.0002ghn5uqgo3j"},
    {0.0018014694485754261, 2, "0.00000000011101100000111110100100010111011100101010111001111101"},
    {0.0018014694485754261, 7, "0.0004216405350102523144"},
    {0.0018014694485754261, 16, "0.00760fa45dcab9f4"},
    {0.0018014694485754261, 36, "0.02c1ryvhcsn1"},
    {-9.6429265220916706e-8, 2, "-0.000000000000000000000001100111100010100100011001001011101010101000011100101"},
    {-9.6429265220916706e-8, 7, "-0.0000000036144636035025063053"},
    {-9.6429265220916706e-8, 16, "-0.0000019e29192eaa1ca"},
    {-9.6429265220916706e-8, 36, "-0.00005twljzwmuv8"},
    {1124.1563422860818, 2, "10001100100.00101000000001100000110001001101101101"},
    {1124.1563422860818, 7, "3164.104424341112214"},
    {1124.1563422860818, 16, "464.28060c4db4"},
    {1124.1563422860818, 36, "v8.5mmb06pnn"},
    {30375533680977520, 2, "1101011111010100110001100001110111010101110011001110000"},
    {30375533680977520, 7, "24440063613241000420"},
    {30375533680977520, 16, "6bea630eeae670"},
    {30375533680977520, 36, "8b387j4m5ps"},
    {-6320342352970.2656, 2, "-1011011111110010001110000101100010001001010.010001"},
    {-6320342352970.2656, 7, "-1221425655405202.16"},
    {-6320342352970.2656, 16, "-5bf91c2c44a.44"},
    {-6320342352970.2656, 36, "-28niwnf4a.9k"},
    {14110786.688249569, 2, "110101110101000001000010.1011000000110001000111111011"},
    {14110786.688249569, 7, "230640214.45503260543"},
    {14110786.688249569, 16, "d75042.b0311fb"},
    {14110786.688249569, 36, "8efya.oryyzl"},
    {488721603.00352025, 2, "11101001000010100110011000011.0000000011100110101101"},
    {488721603.00352025, 7, "15053031216.001131104"},
    {488721603.00352025, 16, "1d214cc3.00e6b4"},
    {488721603.00352025, 36, "82z003.04k8o"},
    {-6.0188738303347208e-15, 2, "-0.0000000000000000000000000000000000000000000000011011000110110100101000000000101001111110100100111111"},
    {-6.0188738303347208e-15, 7, "-0.000000000000000012541550155105441142"},
    {-6.0188738303347208e-15, 16, "-0.000000000001b1b4a00a7e93f"},
    {-6.0188738303347208e-15, 36, "-0.000000000m07pwdz5q6"},
    {31.880487607207272, 2, "11111.11100001011001111010001011000101011111010001"},
    {31.880487607207272, 7, "43.61100232560416403"},
    {31.880487607207272, 16, "1f.e167a2c57d1"},
    {31.880487607207272, 36, "v.vp412mfons"},
    {5152249.8094628453, 2, "10011101001110111111001.110011110011100011110101"},
    {5152249.8094628453, 7, "61536064.54443433136"},
    {5152249.8094628453, 16, "4e9df9.cf38f5"},
    {5152249.8094628453, 36, "32fi1.t52aqv"},
    {-68353234.588520393, 2, "-100000100101111110011010010.10010110101010010100010111"},
    {-68353234.588520393, 7, "-1456664365.4056015564"},
    {-68353234.588520393, 16, "-412fcd2.96a945c"},
    {-68353234.588520393, 36, "-14p1oy.l6q0a"},
    {989215771003.26294, 2, "1110011001010001110110101100100101111011.010000110101"},
    {989215771003.26294, 7, "131316455214115.15612"},
    {989215771003.26294, 16, "e651dac97b.435"},
    {989215771003.26294, 36, "cmftj1x7.9gs"},
    {1.2468899094826214e-21, 2, "0.0000000000000000000000000000000000000000000000000000000000000000000001011110001101100101101111000110001011001001011001"},
    {1.2468899094826214e-21, 7, "0.00000000000000000000000014463603502623642013"},
    {1.2468899094826214e-21, 16, "0.000000000000000005e365bc62c964"},
    {1.2468899094826214e-21, 36, "0.00000000000007nnko7bjqlk"},
    {-0.0030396995122633184, 2, "-0.0000000011000111001101011011000111111110101011011011010111"},
    {-0.0030396995122633184, 7, "-0.00102042156064513323"},
    {-0.0030396995122633184, 16, "-0.00c735b1feadb5c"},
    {-0.0030396995122633184, 36, "-0.03xtj07dqgud"},
    {3.4281854958849035e-7, 2, "0.00000000000000000000010111000000011001001111101101000010111010110011000001"},
    {3.4281854958849035e-7, 7, "0.00000001655602310252345252"},
    {3.4281854958849035e-7, 16, "0.000005c064fb42eb304"},
    {3.4281854958849035e-7, 36, "0.0000kq8ot1hkl4"},
    {1.4406715242191823e-12, 2, "0.00000000000000000000000000000000000000011001010110000011010100101110011011001100001000011101"},
    {1.4406715242191823e-12, 7, "0.00000000000000656100305642421331"},
    {1.4406715242191823e-12, 16, "0.0000000001958352e6cc21d"},
    {1.4406715242191823e-12, 36, "0.000000042bbn2c96et"},
    {-5.3563011558167642e+19, 2, "-101110011101010110000010110011100100100000101110011000000000000000"},
    {-5.3563011558167642e+19, 7, "-164616520252425255300000"},
    {-5.3563011558167642e+19, 16, "-2e7560b3920b98000"},
    {-5.3563011558167642e+19, 36, "-bay2uxx313s00"},
    {1.6752610044230893, 2, "1.10101100110111011110011110111010010000101110001101"},
    {1.6752610044230893, 7, "1.4504205321235663364"},
    {1.6752610044230893, 16, "1.acdde7ba42e34"},
    {1.6752610044230893, 36, "1.ob4z6qm8o1"},
    {2.4861033258046854e-7, 2, "0.000000000000000000000100001010111100010111110011100100101011011110111"},
    {2.4861033258046854e-7, 7, "0.000000013014041563104122215"},
    {2.4861033258046854e-7, 16, "0.0000042bc5f392b7b8"},
    {2.4861033258046854e-7, 36, "0.0000f1652lr180t"},
    {-1.2545512417649654e-17, 2, "-0.00000000000000000000000000000000000000000000000000000000111001110110110010000001111000011100101001000100101"},
    {-1.2545512417649654e-17, 7, "-0.000000000000000000010002325154334234625"},
    {-1.2545512417649654e-17, 16, "-0.00000000000000e76c81e1ca44a"},
    {-1.2545512417649654e-17, 36, "-0.00000000001ng19ls6djz"},
    {490291.34216500417, 2, "1110111101100110011.0101011110011000001000000010111011"},
    {490291.34216500417, 7, "4111264.225235241052"},
    {490291.34216500417, 16, "77b33.5798202ec"},
    {490291.34216500417, 36, "aib7.cbg1td3"},
    {4.2346459853259548e-20, 2, "0.000000000000000000000000000000000000000000000000000000000000000011000111111110011011101010001011001010000110011011"},
    {4.2346459853259548e-20, 7, "0.000000000000000000000011053454161114563053"},
    {4.2346459853259548e-20, 16, "0.0000000000000000c7f9ba8b2866c"},
    {4.2346459853259548e-20, 36, "0.000000000000781p4fmzt94"},
    {-1.0630222678952965e-16, 2, "-0.0000000000000000000000000000000000000000000000000000011110101000111011100001001010100101111111010000101"},
    {-1.0630222678952965e-16, 7, "-0.00000000000000000011324234030616052511"},
    {-1.0630222678952965e-16, 16, "-0.00000000000007a8ee12a5fd0a"},
    {-1.0630222678952965e-16, 36, "-0.0000000000dzp7ty90otg"},
    {1.8409946282812091e+18, 2, "1100110001100100001101101110001000100000110101001000100000000"},
    {1.8409946282812091e+18, 7, "3203354613416255611500"},
    {1.8409946282812091e+18, 16, "198c86dc441a9100"},
    {1.8409946282812091e+18, 36, "dzj64on1xao0"},
    {6.7277807849447999, 2, "110.1011101001001111110101110110110111111110110000001"},
    {6.7277807849447999, 7, "6.504425452530535015"},
    {6.7277807849447999, 16, "6.ba4fd76dfec08"},
    {6.7277807849447999, 36, "6.q77c915bvo"},
    {-1278765.7354427034, 2, "-100111000001100101101.10111100010001011111100100010111"},
    {-1278765.7354427034, 7, "-13604115.510154045552"},
    {-1278765.7354427034, 16, "-13832d.bc45f917"},
    {-1278765.7354427034, 36, "-rep9.qh4tby"},
    {0.0000028615104828224717, 2, "0.00000000000000000011000000000010000110000000110010000010011111110011"},
    {0.0000028615104828224717, 7, "0.00000022332066301253531113"},
    {0.0000028615104828224717, 16, "0.00003002180c827f3"},
    {0.0000028615104828224717, 36, "0.0004t0vvkn3loi"},
    {5.4271142280238970e+20, 2, "111010110101110100010010010111010000101100011010001010000000000000000"},
    {5.4271142280238970e+20, 7, "2555436104123534105500000"},
    {5.4271142280238970e+20, 16, "1d6ba24ba163450000"},
    {5.4271142280238970e+20, 36, "36j9lzbydde000"},
    {-7.5313025622021243e+18, 2, "-110100010000100100011111100011100011100000011000000000000000000"},
    {-7.5313025622021243e+18, 7, "-16324634522024665540000"},
    {-7.5313025622021243e+18, 16, "-68848fc71c0c0000"},
    {-7.5313025622021243e+18, 36, "-1l7w7y1jde680"},
    {2773915913617866.0, 2, "1001110110101101110010100000101010110000000111001010"},
    {2773915913617866.0, 7, "1463165545150315113"},
    {2773915913617866.0, 16, "9dadca0ab01ca"},
    {2773915913617866.0, 36, "rb9rdmkxqi"},
    {99404256.672239318, 2, "101111011001100100111100000.10101100000101111110000001"},
    {99404256.672239318, 7, "2314631220.446402166"},
    {99404256.672239318, 16, "5ecc9e0.ac17e04"},
    {99404256.672239318, 36, "1n6ktc.o77zx"},
};

}  // namespace

TEST_CASE("twitter: syndication token matches node's output for the reference ids", "[twitter]") {
  struct Vector {
    const char* id;
    const char* radix36;
    const char* token;
  };
  for (const Vector& v : {Vector{"1684218600456876032", "42z.4mwgp9h8", "42z4mwgp9h8"},
                          Vector{"1311697819384844290", "36g.tj0snjgl", "36gtjsnjgl"},
                          Vector{"1349129669258448897", "39q.eyy97t9x", "39qeyy97t9x"},
                          Vector{"436461658601713664", "123.6nf8no4li", "1236nf8no4li"},
                          Vector{"1703436713362870723", "44n.i5iyte19", "44ni5iyte19"},
                          Vector{"20", "0.000000006dq1a2xwd93", "6dq1a2xwd93"}}) {
    INFO(v.id);
    const double x = (std::strtod(v.id, nullptr) / 1e15) * 3.141592653589793;
    CHECK(twitter::DoubleToRadixString(x, 36) == v.radix36);
    CHECK(twitter::SyndicationToken(v.id) == v.token);
  }
}

TEST_CASE("twitter: DoubleToRadixString behaves like Number.prototype.toString", "[twitter]") {
  CHECK(twitter::DoubleToRadixString(0, 36) == "0");
  CHECK(twitter::DoubleToRadixString(255, 16) == "ff");
  CHECK(twitter::DoubleToRadixString(-255.5, 16) == "-ff.8");
  CHECK(twitter::DoubleToRadixString(0.5, 2) == "0.1");
  CHECK(twitter::DoubleToRadixString(0.1, 2) == "0.0001100110011001100110011001100110011001100110011001101");
  CHECK(twitter::DoubleToRadixString(35, 36) == "z");
  CHECK(twitter::DoubleToRadixString(36, 36) == "10");
  // Values from node 18, including the ranges where V8 pads with zeros or prints 1000+ digits.
  CHECK(twitter::DoubleToRadixString(2.0e20, 36) == "167i830vk1fg00");
  CHECK(twitter::DoubleToRadixString(1e21, 36) == "5v1j4f4ds7c000");
  CHECK(twitter::DoubleToRadixString(0.1, 36) == "0.3lllllllllm");
  CHECK(twitter::DoubleToRadixString(123.456, 36) == "3f.gez4w97ry");
  CHECK(twitter::DoubleToRadixString(1e-7, 36) == "0.000061oezo085tl");
  CHECK(twitter::DoubleToRadixString(9007199254740994.0, 36) == "2gosa7pa2gy");
  CHECK(twitter::DoubleToRadixString(0.5, 36) == "0.i");
  CHECK(twitter::DoubleToRadixString(1.0 / 3.0, 36) == "0.c");
  CHECK(twitter::DoubleToRadixString(1.0 / 3.0, 7) == "0.2222222222222222222");
  CHECK(twitter::DoubleToRadixString(5e-324, 2).size() == 1076);
  CHECK(twitter::DoubleToRadixString(1.7976931348623157e308, 2).size() == 1024);
  for (const RadixVector& v : kNodeRadix) {
    INFO(v.value << " radix " << v.radix);
    CHECK(twitter::DoubleToRadixString(v.value, v.radix) == v.text);
  }
}

TEST_CASE("twitter: syndication token agrees with node on 120 pseudo-random ids", "[twitter]") {
  for (const TokenVector& v : kNodeTokens) {
    INFO(v.id);
    CHECK(twitter::SyndicationToken(v.id) == v.token);
  }
}

TEST_CASE("twitter: capture plan is syndication then oEmbed", "[twitter]") {
  const auto plan = Adapter().CapturePlan(Tweet("1684218600456876032", "Rainmaker1973"));
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].url == "https://cdn.syndication.twimg.com/tweet-result?id=1684218600456876032&lang=en&token=42z4mwgp9h8");
  CHECK(plan[1].url ==
        "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2FRainmaker1973%2Fstatus%2F1684218600456876032"
        "&omit_script=1&dnt=true");
  const auto no_handle = Adapter().CapturePlan(twitter::MakeTweetRef("20", std::nullopt));
  CHECK(no_handle[1].url ==
        "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2Fi%2Fstatus%2F20&omit_script=1&dnt=true");
  CHECK(Adapter().name() == "twitter");
  CHECK(embarc::platform::FindAdapter("twitter") == &Adapter());
}

TEST_CASE("twitter: the recorded syndication answer reads as available with full content", "[twitter]") {
  const Observation o = Interpret(Tweet("1684218600456876032", "Rainmaker1973"),
                                  Recorded("twitter__syndication_tweet-result_1684218600456876032.json"),
                                  Failed(net::FetchOutcome::kTimeout));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.author == "Rainmaker1973");
  CHECK(o.content.author_name == "Massimo");
  CHECK(o.content.created_at == "2023-07-26T15:06:20.000Z");
  CHECK(o.content.lang == "en");
  CHECK(o.content.text.rfind("For the first time in the world, researchers succeeded", 0) == 0);
  CHECK(o.content.text.find("https://t.co/1N4ogvaMPA") != std::string::npos);
  REQUIRE(o.content.media.size() == 2);
  CHECK(o.content.media[0].kind == "poster");
  CHECK(o.content.media[0].url ==
        "https://pbs.twimg.com/amplify_video_thumb/1684020091854225408/img/xtWb477NwDzZ1VvG.jpg");
  CHECK(o.content.media[1].kind == "video");
  CHECK(o.content.media[1].url ==
        "https://video.twimg.com/amplify_video/1684020091854225408/vid/886x546/_Mb5SBNFpaVehGMW.mp4?tag=14");
  CHECK(o.content.media[1].sha256.empty());
  CHECK(o.content.edit_ids == std::vector<std::string>{"1684218600456876032"});
  CHECK(o.reason.find("syndication: Tweet") != std::string::npos);
}

TEST_CASE("twitter: the recorded oEmbed answers read as available when syndication failed", "[twitter]") {
  for (const char* file : {"oembed__publish.twitter.com__74c74dd2.json", "oembed__publish.x.com__c2316e80.json"}) {
    INFO(file);
    const Observation o =
        Interpret(Tweet("436461658601713664", "pepephone"), Failed(net::FetchOutcome::kReset), Recorded(file));
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "pepephone");
    CHECK(o.content.author_name == "Pepephone");
    CHECK(o.content.text == "RT @PabloHerreros Pepephone rompe la baraja - http://t.co/mFn7mcB1vy");
    CHECK(o.content.lang == "es");
    CHECK(o.content.created_at == "February 20, 2014");
  }
}

TEST_CASE("twitter: positive deletion signals", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  SECTION("syndication 404 and oEmbed 404") {
    const Observation o = Interpret(post, Answer(404, ""), Answer(404, "", "text/html"));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("404") != std::string::npos);
  }
  SECTION("syndication {} and oEmbed unreachable") {
    const Observation o = Interpret(post, Answer(200, "{}"), Failed(net::FetchOutcome::kTimeout));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("{}") != std::string::npos);
  }
  SECTION("tombstone that says deleted") {
    const Observation o = Interpret(
        post,
        Answer(200, R"({"__typename":"TweetTombstone","tombstone":{"text":{"text":"This Post was deleted by the Post author. Learn more","entities":[]}}})"),
        Answer(404, ""));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("This Post was deleted") != std::string::npos);
  }
}

TEST_CASE("twitter: restrictions are withheld, not deleted", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  SECTION("unavailable tombstone") {
    const Observation o = Interpret(
        post, Answer(200, R"({"__typename":"TweetTombstone","tombstone":{"text":{"text":"This Post is unavailable."}}})"),
        Answer(404, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("empty tombstone (restricted but live)") {
    const Observation o =
        Interpret(post, Answer(200, R"({"__typename":"TweetTombstone","tombstone":{}})"), Answer(404, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("oEmbed 403 contradicts a syndication 404") {
    const Observation o = Interpret(post, Answer(404, ""), Answer(403, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("oEmbed 403 alone") {
    const Observation o = Interpret(post, Failed(net::FetchOutcome::kTimeout), Answer(403, ""));
    CHECK(o.state == PostState::kWithheld);
  }
}

TEST_CASE("twitter: either source showing the post makes it available", "[twitter]") {
  const PostRef post = Tweet("436461658601713664", "pepephone");
  const Observation o =
      Interpret(post, Answer(404, ""), Recorded("oembed__publish.twitter.com__74c74dd2.json"));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.author == "pepephone");
}

TEST_CASE("twitter: network failures, 5xx and 429 are never deletions", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  CHECK(Interpret(post, Answer(503, "busy", "text/html"), Answer(503, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, ""), Answer(200, "{}")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout), Answer(429, "")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout), Failed(net::FetchOutcome::kTimeout)).state ==
        PostState::kUnreachable);
  // oEmbed alone saying 404 is not enough: syndication did not answer.
  CHECK(Interpret(post, Failed(net::FetchOutcome::kReset), Answer(404, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, ""), Answer(404, "")).state == PostState::kRateLimited);
  // A 200 that is not JSON (a login wall, a block page) is not trusted.
  CHECK(Interpret(post, Answer(200, "Forbidden", "text/html"), Answer(200, "<html>", "text/html")).state ==
        PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "{not json", ""), Answer(200, "nope", "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]"),
                  Answer(500, ""))
            .state == PostState::kUnreachable);
  // Missing answers.
  CHECK(Adapter().Interpret(post, {}).state == PostState::kUnreachable);

  const std::vector<net::FetchOutcome> failures = {
      net::FetchOutcome::kTimeout,  net::FetchOutcome::kConnectionFailed, net::FetchOutcome::kReset,
      net::FetchOutcome::kTls,      net::FetchOutcome::kTooLarge,         net::FetchOutcome::kTooManyRedirects,
      net::FetchOutcome::kBlockedAddress, net::FetchOutcome::kInvalidUrl,  net::FetchOutcome::kOther};
  for (const auto a : failures) {
    for (const auto b : failures) {
      const Observation o = Interpret(post, Failed(a), Failed(b));
      CHECK(o.state == PostState::kUnreachable);
    }
    CHECK(Interpret(post, Failed(a), Answer(404, "")).state != PostState::kDeleted);
    CHECK(Interpret(post, Answer(502, ""), Answer(404, "")).state != PostState::kDeleted);
  }
}

TEST_CASE("twitter: gzip-encoded answers are decoded", "[twitter]") {
  const std::string body = R"({"__typename":"Tweet","id_str":"5","text":"hi","user":{"screen_name":"a","name":"A"}})";
  const Observation o = Interpret(Tweet("5", "a"), Answer(200, Gzip(body), "application/json", {{"Content-Encoding", "gzip"}}),
                                  Failed(net::FetchOutcome::kTimeout));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.text == "hi");
  const Observation corrupt =
      Interpret(Tweet("5", "a"), Answer(200, "not gzip", "application/json", {{"Content-Encoding", "gzip"}}),
                Failed(net::FetchOutcome::kTimeout));
  CHECK(corrupt.state == PostState::kUnreachable);
}

TEST_CASE("twitter: photos, GIFs, long text and edit chains", "[twitter]") {
  const std::string body = R"({
    "__typename": "Tweet", "id_str": "300", "lang": "de", "created_at": "2024-01-01T00:00:00.000Z",
    "text": "short…", "note_tweet": {"text": "the whole long text"},
    "user": {"screen_name": "pics", "name": "Pictures"},
    "edit_control": {"initial_tweet_id": "100", "edit_control_initial": {"edit_tweet_ids": ["100", "200", "300"]}},
    "mediaDetails": [
      {"type": "photo", "media_url_https": "https://pbs.twimg.com/media/A.jpg"},
      {"type": "animated_gif", "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/G.jpg",
       "video_info": {"variants": [{"bitrate": 0, "content_type": "video/mp4", "url": "https://video.twimg.com/tweet_video/G.mp4"}]}}
    ]})";
  const Observation o = Interpret(Tweet("300", "pics"), Answer(200, body, "application/json; charset=utf-8"),
                                  Answer(200, "{}"));
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.text == "the whole long text");
  CHECK(o.content.lang == "de");
  CHECK(o.content.edit_ids == std::vector<std::string>{"100", "200", "300"});
  REQUIRE(o.content.media.size() == 3);
  CHECK(o.content.media[0].url == "https://pbs.twimg.com/media/A.jpg?name=orig");
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[1].kind == "poster");
  CHECK(o.content.media[2].url == "https://video.twimg.com/tweet_video/G.mp4");
  CHECK(o.content.media[2].kind == "video");
}

TEST_CASE("platform: state names round-trip", "[twitter]") {
  for (const PostState s : {PostState::kAvailable, PostState::kDeleted, PostState::kWithheld, PostState::kLoginRequired,
                            PostState::kRateLimited, PostState::kUnreachable}) {
    CHECK(embarc::platform::ParsePostState(embarc::platform::PostStateName(s)) == s);
  }
  CHECK(std::string(embarc::platform::PostStateName(PostState::kRateLimited)) == "rate_limited");
  CHECK_FALSE(embarc::platform::ParsePostState("gone"));
}
