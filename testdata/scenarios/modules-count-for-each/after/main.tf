resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

module "tier" {
  source     = "./modules/tier"
  name       = "shop"
  vpc_id     = aws_vpc.main.id
  node_count = 3 # one more node group

  services = {
    api = {
      port  = 443
      cidrs = ["10.0.0.0/16"]
    }
    admin = {
      port  = 2222 # was 22
      cidrs = ["10.10.0.0/16"]
    }
  }
}
