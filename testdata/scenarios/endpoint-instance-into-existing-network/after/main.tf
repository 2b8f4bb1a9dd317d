# The everyday plan: a VM launched into a network another configuration
# manages, named by id only. Nothing of the network is in the plan.

variable "subnet_id" {
  type    = string
  default = "subnet-0a1b2c3d4e5f67890"
}

variable "app_sg_id" {
  type    = string
  default = "sg-0a1b2c3d4e5f67890"
}

resource "aws_instance" "app" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  private_ip             = "10.0.1.20"
  ipv6_address_count     = 0
  vpc_security_group_ids = [var.app_sg_id]
}
